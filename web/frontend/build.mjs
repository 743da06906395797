// Bundles the editor's modules for the browser (run by the Makefile's front-end rule): one script per page part,
// no eval and no `new Function` anywhere (the pages' CSP allows only 'self' scripts), CSS copied beside them.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const [outdir] = process.argv.slice(2);

// dom-iterator (inlined in selection-ranges, under dmn-js's content-editable cells) compiles string filters with `new Function`; dmn-js only
// ever passes node types, so that branch becomes an error the CSP could never allow anyway.
const noFunctionConstructor = {
  name: 'no-function-constructor',
  setup(context) {
    context.onLoad({ filter: /(dom-iterator[\\/]index|selection-ranges[\\/]dist[\\/]index)\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const patched = source.replace(/return new Function\('node', 'Object\.freeze\(node\); return ' \+ props\(expr, 'node\.'\)\);/,
        "return function () { throw new Error('dom-iterator: string filters are not supported'); };");
      if (patched === source) {
        throw new Error('dom-iterator changed: check its use of new Function');
      }
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  entryPoints: ['web/frontend/editor.js', 'web/frontend/dmn_editor.js'],
  bundle: true, format: 'iife', minify: true, target: 'es2020', legalComments: 'linked', logLevel: 'warning',
  outdir, plugins: [noFunctionConstructor],
});
