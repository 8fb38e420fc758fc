/**
 * The `data:` payloads of a server-sent-events body, one string per event: lines starting with `data:` are joined
 * with `\n` (one leading space after the colon removed), events end at a blank line, other fields (`event:`, `id:`,
 * `retry:`) and comments (`:`) are skipped, and CRLF, LF and CR line ends are all accepted. A last event without its
 * blank line is still delivered. Breaking out of the loop cancels the body.
 */
export async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let data: string[] = [];
  let finished = false;
  // A CR at the very end of the buffer may be the first half of a CRLF split across chunks: keep it until more comes.
  const lineEnd = /\r\n|\r(?=[^\n])|\n/;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (done && buffer.endsWith('\r')) buffer = `${buffer.slice(0, -1)}\n`;
      let match = lineEnd.exec(buffer);
      while (match) {
        const line = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        } else if (line === 'data') {
          data.push('');
        }
        match = lineEnd.exec(buffer);
      }
      if (done) break;
    }
    finished = true;
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield data.join('\n');
  } finally {
    if (finished) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}
