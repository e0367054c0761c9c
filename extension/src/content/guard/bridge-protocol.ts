// Messages between the main-world script and the isolated content script.
export type BridgeRequest = { id: number; files: File[] };
export type BridgeReply = { id: number; files: File[] };
