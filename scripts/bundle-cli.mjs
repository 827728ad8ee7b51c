// Bundles the compiled CLI (run by `npm run build`, after tsc) so a command loads a few
// files instead of ~550 ES modules: start-up is most of the CPU of a short command.
//   dist/cli/main-modules.js  tsc's entry, unbundled (kept for comparison: bench:startup)
//   dist/bundle/*.js          esbuild's bundle of it, split so the tracker and the media
//                             parsers load only when a command needs them
//   dist/bundle/cli.cjs       the same CLI as one CommonJS file, which a command that starts
//                             a node runs through V8's code cache (cli/launch.ts)
//   dist/cli/main.js          the bin: cli/launch.ts picks one of the two
import { createHash } from 'node:crypto'
import { chmod, copyFile, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { build } from 'esbuild'

const entry = 'dist/cli/main.js'
const modules = 'dist/cli/main-modules.js'

await copyFile(entry, modules)
await rm('dist/bundle', { recursive: true, force: true })
await build({
  entryPoints: { main: modules },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  // CommonJS dependencies call require(); an ES module bundle has none of its own
  banner: { js: "import { createRequire as __msCreateRequire } from 'node:module'; const require = __msCreateRequire(import.meta.url);" },
  legalComments: 'none',
  // whitespace and syntax only: 30 % fewer bytes to read, decode and scan at every start
  // (measured: `get --seed` 1.09 -> 0.96 CPU-s); names are kept, so profiles stay readable
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning'
})
/**
 * esbuild prints strings and templates ASCII-only, but not regular expression literals
 * (music-metadata has one with a "©"). One non-ASCII character makes the whole 2 MB source a
 * two-byte string, decoded from UTF-8 at every start (~20 ms); as ASCII it is read as Latin-1
 * (cli/code-cache.ts). A dependency's file with such characters gets them as \uXXXX escapes,
 * which mean the same in strings, templates, regular expressions and identifiers (never in
 * String.raw templates, so a file using String.raw is left alone, as is a character right
 * after a backslash). test/scripts/bundle-cli.spec.ts checks that cli.cjs is ASCII.
 */
const asciiDependencies = {
  name: 'ascii-dependencies',
  setup (b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.[cm]?js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8')
      if (!/[^\x00-\x7f]/.test(text) || text.includes('String.raw')) return undefined
      const contents = text.replace(/(?<!\\)[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      return { contents, loader: 'js', resolveDir: dirname(args.path) }
    })
  }
}

// one CommonJS file: what V8's code cache needs (vm.Script; Node 20 caches no ES modules).
// import.meta.url becomes the file's own URL: dist/bundle/ like the chunks, so paths
// relative to it (package.json) resolve alike.
await build({
  entryPoints: { cli: modules },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/bundle/cli.cjs',
  plugins: [asciiDependencies],
  define: { 'import.meta.url': '__msImportMetaUrl' },
  banner: { js: "const __msImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning'
})
// V8 checks a cache against the source's length only: the cache's name carries the content's hash
const hash = createHash('sha256').update(await readFile('dist/bundle/cli.cjs')).digest('hex').slice(0, 16)
await writeFile(entry, `#!/usr/bin/env node
// The bin (scripts/bundle-cli.mjs); dist/cli/main-modules.js is the same CLI, unbundled.
import '../node/polyfill.js'
import { launch } from './launch.js'
await launch(process.argv.slice(2), { modules: '../bundle/main.js', commonJs: '../bundle/cli.cjs', hash: '${hash}' })
`)
await chmod(entry, 0o755)
await chmod(modules, 0o755)
