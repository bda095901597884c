// memoizee compares object arguments by reference and keeps them: a per-request permission check memoized on the
// request's user object keeps every user object alive.
const memoize = require('memoizee');

class User {
  constructor(id, roles) {
    this.id = id;
    this.roles = roles;
    this.profile = { history: new Array(5000).fill(id) };
  }
}

const canEdit = memoize(function canEdit(user) {
  return user.roles.includes('editor');
});

module.exports = { canEdit }; // as the module of a real app would

function handleRequest(id) {
  const user = new User(id, id % 3 === 0 ? ['editor'] : ['viewer']);
  return canEdit(user);
}

const requests = Number(process.argv[2] ?? 100);
let editors = 0;
for (let id = 0; id < requests; id++) if (handleRequest(id)) editors++;
console.log(`handled ${requests} requests, ${editors} editors`);
