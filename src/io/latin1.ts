/**
 * Latin-1 (ISO-8859-1) text <-> bytes, one byte per character, without Node's Buffer (the web page
 * reads pickles too). TextDecoder cannot do it: the WHATWG 'latin1' label means windows-1252, which
 * maps 0x80-0x9F to other characters.
 */
export function latin1Text(bytes: Uint8Array): string {
  let text = '';
  const chunk = 0x8000; // String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += chunk) text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return text;
}

/** The bytes of a string of code points below 256 (higher ones keep their low byte, as Buffer does). */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}
