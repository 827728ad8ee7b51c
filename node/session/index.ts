export { DownloadSession } from './download-session.js'
export type { DownloadSessionInit, DownloadResult, DownloadEvent, ProviderInfo } from './download-session.js'
export { PiecePicker } from './piece-picker.js'
