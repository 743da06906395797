// Bundles the editor's modules for the browser (run by the Makefile's front-end rule): one script per page part,
// no eval and no `new Function` anywhere (the pages' CSP allows only 'self' scripts), CSS copied beside them.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';

const [outdir] = process.argv.slice(2);

// Source patches, each of which must apply (a new release that changes the text fails the build, loudly):
// - dom-iterator (inlined in selection-ranges, under dmn-js's editable cells) compiles string filters with
//   `new Function`; dmn-js passes only node types, so that branch becomes an error (the CSP forbids it anyway).
// - the properties panel's containers and dmn-js's bpmn.io logo are made from HTML with style attributes, which
//   the CSP blocks: the same styles move to lif.css (the logo stays as it is, visible and linked, as its
//   licence asks).
const PATCHES = [
  {
    file: /selection-ranges[\\/]dist[\\/]index\.js$/,
    edits: [["return new Function('node', 'Object.freeze(node); return ' + props(expr, 'node.'));",
      "return function () { throw new Error('dom-iterator: string filters are not supported'); };"]],
  },
  {
    file: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/,
    edits: [
      ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container"></div>',
        '<div tabindex="-1" class="bio-properties-panel-container"></div>'],
      ['<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container"></div>',
        '<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container"></div>'],
    ],
  },
  {
    file: /dmn-js-shared[\\/]lib[\\/]util[\\/]PoweredByUtil\.js$/,
    edits: [
      ["'title=\"Powered by bpmn.io\" ' + 'style=\"position: absolute; bottom: 15px; right: 15px; z-index: 100;\">'",
        "'title=\"Powered by bpmn.io\">'"],
      [' style="vertical-align:middle"', ''],
      ["'<div class=\"bjs-powered-by-lightbox\" style=\"' + LIGHTBOX_STYLES + '\">'",
        "'<div class=\"bjs-powered-by-lightbox lif-lightbox\">'"],
      ["'<div class=\"backdrop\" style=\"' + BACKDROP_STYLES + '\"></div>'",
        "'<div class=\"backdrop lif-lightbox-backdrop\"></div>'"],
      ["'<div class=\"notice\" style=\"' + NOTICE_STYLES + '\">'", "'<div class=\"notice lif-lightbox-notice\">'"],
      ["'<a href=\"https://bpmn.io\" target=\"_blank\" rel=\"noopener\" style=\"margin: 15px 20px 15px 10px; align-self: center;' + '\">'",
        "'<a href=\"https://bpmn.io\" target=\"_blank\" rel=\"noopener\" class=\"lif-lightbox-logo\">'"],
    ],
  },
];

const patched = {
  name: 'lif-patches',
  setup(context) {
    PATCHES.forEach((patch) => {
      context.onLoad({ filter: patch.file }, async (args) => {
        let source = await readFile(args.path, 'utf8');
        patch.edits.forEach(([from, to]) => {
          if (!source.includes(from)) {
            throw new Error(`${args.path} changed: the patch for ${from.slice(0, 50)}... no longer applies`);
          }
          source = source.split(from).join(to);
        });
        return { contents: source, loader: 'js' };
      });
    });
  },
};

await build({
  entryPoints: ['web/frontend/editor.js', 'web/frontend/dmn_editor.js'],
  bundle: true, format: 'iife', minify: true, target: 'es2020', legalComments: 'linked', logLevel: 'warning',
  outdir, plugins: [patched],
});
