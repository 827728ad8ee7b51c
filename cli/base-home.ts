import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** `$MEDIASWARM_HOME`, else `~/.mediaswarm`: the folder holding the tracker's and the peer's homes. */
export function baseHome (env: NodeJS.ProcessEnv): string {
  return env.MEDIASWARM_HOME != null && env.MEDIASWARM_HOME !== '' ? resolve(env.MEDIASWARM_HOME) : join(homedir(), '.mediaswarm')
}
