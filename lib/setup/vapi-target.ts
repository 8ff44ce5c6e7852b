/** Real Vapi (any *.vapi.ai host) rather than the local emulator. */
export const isRealVapi = (url: string | undefined) => !!url && /(^|\.)vapi\.ai$/.test(new URL(url).hostname);
