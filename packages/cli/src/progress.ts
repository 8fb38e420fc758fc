import type { IngestProgressEvent } from '@trade-r1/verifier';

/** A progress sink: a redrawn bar on a TTY, one JSON line per event otherwise. */
export function progressWriter(stream: NodeJS.WriteStream): ((event: IngestProgressEvent) => void) & {
  done(): void;
} {
  let drawn = false;
  const write = (event: IngestProgressEvent): void => {
    if (!stream.isTTY) {
      stream.write(`${JSON.stringify(event)}\n`);
      return;
    }
    const [done, total, label] =
      event.type === 'embedded'
        ? [event.chunksEmbedded, event.chunksTotal, 'embedded']
        : event.type === 'written'
          ? [event.chunksWritten, event.chunksTotal, 'written']
          : [0, 0, event.type];
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} chunks ${label}   `);
    drawn = true;
  };
  return Object.assign(write, {
    done: () => {
      if (drawn) stream.write('\n');
    },
  });
}
