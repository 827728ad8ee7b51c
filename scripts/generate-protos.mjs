// Regenerates every protons codec next to its .proto (run: npm run generate).
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function find (dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) find(path, out)
    else if (name.endsWith('.proto')) out.push(path)
  }
  return out
}

const protos = ['node', 'tracker'].flatMap(dir => find(dir))
execFileSync('npx', ['protons', ...protos], { stdio: 'inherit' })
