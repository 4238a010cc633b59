import { CurrentTimeTool } from './current-time.tool.js';
import { ToolInputError, type ToolContext } from './tool.js';

const context: ToolContext = { ownerId: 'o', runId: 'r', signal: new AbortController().signal };
const fixed = new Date('2024-07-01T12:34:56.789Z');
const tool = new CurrentTimeTool(() => fixed);

describe('current_time', () => {
  it('defaults to UTC', async () => {
    expect(JSON.parse(await tool.execute({}, context))).toEqual({
      iso: '2024-07-01T12:34:56.789Z',
      timezone: 'UTC',
      local: '2024-07-01T12:34:56+00:00',
      weekday: 'Monday',
      unixSeconds: 1719837296,
    });
  });

  it('formats the local time with the zone offset', async () => {
    const paris = JSON.parse(await tool.execute({ timezone: 'Europe/Paris' }, context));
    expect(paris).toMatchObject({ timezone: 'Europe/Paris', local: '2024-07-01T14:34:56+02:00', iso: '2024-07-01T12:34:56.789Z' });
    const kolkata = JSON.parse(await tool.execute({ timezone: 'Asia/Kolkata' }, context));
    expect(kolkata.local).toBe('2024-07-01T18:04:56+05:30');
    const ny = JSON.parse(await new CurrentTimeTool(() => new Date('2024-01-01T03:00:00Z')).execute({ timezone: 'America/New_York' }, context));
    expect(ny).toMatchObject({ local: '2023-12-31T22:00:00-05:00', weekday: 'Sunday' });
  });

  it('rejects an unknown or non-string zone', async () => {
    await expect(tool.execute({ timezone: 'Mars/Olympus' }, context)).rejects.toThrow(ToolInputError);
    await expect(tool.execute({ timezone: 'Mars/Olympus' }, context)).rejects.toThrow(/unknown time zone "Mars\/Olympus"/);
    await expect(tool.execute({ timezone: 5 }, context)).rejects.toThrow(ToolInputError);
  });

  it('uses the real clock by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { unixSeconds } = JSON.parse(await new CurrentTimeTool().execute({}, context));
    expect(unixSeconds).toBeGreaterThanOrEqual(before);
  });
});
