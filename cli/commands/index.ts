import { getCommand } from './get.js'
import { keygenCommand } from './keygen.js'
import { lsCommand } from './ls.js'
import { peerCommand } from './peer.js'
import { playCommand } from './play.js'
import { statusCommand } from './status.js'
import { trackerCommand } from './tracker.js'
import type { Command } from '../command.js'

/** Every command, in the order `--help` lists them. */
export const commands: Array<Command<any>> = [trackerCommand, peerCommand, lsCommand, getCommand, playCommand, statusCommand, keygenCommand]
