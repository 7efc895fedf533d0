import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlCommand, shellQuote } from '../../../shared/domain/curl';

describe('curlCommand', () => {
  it('replays the body byte for byte with Meta’s signature, whatever quotes it holds', () => {
    const body = `{"text":"it's \\"quoted\\" $HOME \`cmd\` and \\\\ back"}`;
    const command = curlCommand('http://127.0.0.1:8787/webhook', { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=abc', 'user-agent': 'facebookexternalua' }, body);
    expect(command).toBe(
      [`curl -X POST 'http://127.0.0.1:8787/webhook'`, `-H 'content-type: application/json'`, `-H 'x-hub-signature-256: sha256=abc'`, `--data-binary ${shellQuote(body)}`].join(' \\\n  '),
    );
    // The shell gives back exactly the body: printf stands in for curl.
    const echoed = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(body)}`], { encoding: 'utf8' });
    expect(echoed).toBe(body);
  });
});
