/** The name as shown and offered for download: no path, no control characters. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '_').trim();
  return clean === '' || clean === '.' || clean === '..' ? 'attachment' : clean.slice(0, 255);
}
