// CommonJS that a test runner evaluates in a vm context never passes through Node's require: Jest gives each test file
// a context and a module registry of its own, and Vitest's vmThreads/vmForks pools do the same for external modules.
// The module hooks therefore never see lodash, memoizee or lru-cache there. What every such runner does is compile each
// file into a module function for the context, call it with a module object, and hand `module.exports` to whoever
// requires it. For the files of the supported packages the agent wraps that function and patches `module.exports`
// once the body has run (library-modules.ts):
//
//   Jest 27–29   new vm.Script(`({"Object.<anonymous>":function(module,exports,require,…){…}})`)
//                  .runInContext(context, { filename })            jest-runtime _execModule / createScriptFromCode
//   Jest 30      vm.compileFunction(code, ['module', 'exports', 'require', …], { filename, parsingContext })
//                                                                 jest-runtime CjsExecutor.compile
//   Vitest 3–4   new vm.Script(Module.wrap(code), { filename }), script.identifier = filename,
//   vm pools       script.runInContext(context) → function (exports, require, module, __filename, __dirname)
//
// Each reaches node:vm through its exports object at call time (`_vm().Script`, `(0, _nodeVm().compileFunction)`,
// `new vm.Script`), so wrapping `Script.prototype.runInContext` and the `compileFunction` export is seen. Node's own
// loader compiles through internal bindings and never calls either. Installed once per thread; for every other call
// the wrappers return exactly what the original returned, after one property read.
import vm = require('node:vm');
import { log, reportInternalError } from '../log';
import { slot } from '../shared';
import { wrapperLike } from '../adapters/wrap';
import { type RegistryModule, isLibraryFile, patchLibraryModule } from './library-modules';

/** jest-runtime's EVAL_RESULT_VARIABLE: the property of the evaluated object literal that holds the module function. */
const JEST_RESULT = 'Object.<anonymous>';

interface HookState {
  installed: boolean;
}

function isModuleObject(value: unknown): value is RegistryModule {
  return typeof value === 'object' && value !== null && 'exports' in value;
}

/** The module function, wrapped: the body runs exactly as before, then the library's exports are patched. */
function wrapModuleFunction(fn: Function, filename: string, moduleArg: number): Function {
  return function leakAgentModuleBody(this: unknown) {
    const result = Reflect.apply(fn, this, arguments) as unknown;
    const module: unknown = arguments[moduleArg];
    if (isModuleObject(module)) patchLibraryModule(filename, module, 'vm context');
    return result;
  };
}

function filenameOf(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const desc = Object.getOwnPropertyDescriptor(options, 'filename');
  return desc && typeof desc.value === 'string' ? desc.value : undefined;
}

/** Vitest's vm executor marks the script with its file (`script.identifier = filename`) and passes no options. */
function identifierOf(script: unknown): string | undefined {
  if (typeof script !== 'object' || script === null) return undefined;
  const desc = Object.getOwnPropertyDescriptor(script, 'identifier');
  return desc && typeof desc.value === 'string' ? desc.value : undefined;
}

/** What Script#runInContext returned, with the module function of a library file wrapped. */
function afterRunInContext(result: unknown, filename: string): unknown {
  // Vitest: the value of `(function (exports, require, module, __filename, __dirname) { … })`.
  if (typeof result === 'function') return wrapModuleFunction(result, filename, 2);
  // Jest ≤ 29: `({"Object.<anonymous>": function (module, exports, require, …) { … }})`.
  if (typeof result === 'object' && result !== null) {
    const desc = Object.getOwnPropertyDescriptor(result, JEST_RESULT);
    if (desc && typeof desc.value === 'function' && desc.writable) {
      (result as Record<string, unknown>)[JEST_RESULT] = wrapModuleFunction(desc.value as Function, filename, 0);
    }
  }
  return result;
}

/**
 * Start instrumenting supported libraries that test runners evaluate in vm contexts in this thread. Idempotent
 * across calls and across copies of the package (the flag lives in the thread's shared state).
 */
export function installVmModuleHook(): void {
  const state = slot<HookState>('vm-module-hook', () => ({ installed: false }));
  if (state.installed) return;
  state.installed = true;

  const proto = vm.Script.prototype as unknown as Record<string, unknown>;
  const runInContext = proto.runInContext;
  if (typeof runInContext === 'function') {
    proto.runInContext = wrapperLike(runInContext, (self, args) => {
      const result = Reflect.apply(runInContext, self, args) as unknown;
      try {
        const filename = filenameOf(args[1]) ?? identifierOf(self);
        return filename !== undefined && isLibraryFile(filename) ? afterRunInContext(result, filename) : result;
      } catch (err) {
        reportInternalError('instrumenting a module evaluated in a vm context', err);
        return result;
      }
    });
  }

  const vmExports = vm as unknown as Record<string, unknown>;
  const compileFunction = vmExports.compileFunction;
  if (typeof compileFunction === 'function') {
    vmExports.compileFunction = wrapperLike(compileFunction, (self, args) => {
      const fn = Reflect.apply(compileFunction, self, args) as unknown;
      try {
        const filename = filenameOf(args[2]);
        const params: unknown = args[1];
        // Jest's parameter list starts with `module`; another order is not a module function the agent knows.
        if (typeof fn !== 'function' || filename === undefined || !Array.isArray(params) || params[0] !== 'module') return fn;
        return isLibraryFile(filename) ? wrapModuleFunction(fn, filename, 0) : fn;
      } catch (err) {
        reportInternalError('instrumenting a module compiled for a vm context', err);
        return fn;
      }
    });
  }
  log.hooks('vm module hook installed (Script#runInContext, vm.compileFunction)');
}
