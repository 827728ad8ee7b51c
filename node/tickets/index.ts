export { signTicket, signTicketSync, verifyTicket, decodeTicket, TICKET_DOMAIN, MAX_TICKET_BYTES } from './ticket.js'
export type { Ticket, TicketFields, TicketProviderInfo, VerifyTicketOptions } from './ticket.js'
