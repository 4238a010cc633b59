import { buildHttpRequest, parametersProblem, placeholdersOf, templateProblem } from './http-tool-request.js';

const city = { type: 'object', properties: { city: { type: 'string' }, units: { type: 'string' } } };

describe('HTTP tool requests', () => {
  it('lists the placeholders of a template', () => {
    expect(placeholdersOf('https://api.example.com/{city}/x/{units}')).toEqual(['city', 'units']);
  });

  it('accepts placeholders in the path and the query only', () => {
    expect(templateProblem('https://api.example.com/weather/{city}?u={units}', city)).toBeNull();
    expect(templateProblem('https://{city}.example.com/weather', city)).toBe('the scheme, host and port of urlTemplate must not contain {placeholders}');
    expect(templateProblem('https://api.example.com:{units}/', city)).toMatch(/absolute|scheme, host and port/);
  });

  it('refuses undeclared placeholders, other schemes, credentials and relative URLs', () => {
    expect(templateProblem('https://api.example.com/{country}', city)).toBe('urlTemplate uses {country}, which parameters.properties does not declare');
    expect(templateProblem('ftp://api.example.com/', city)).toBe('urlTemplate must be an http or https URL');
    expect(templateProblem('https://user:pw@api.example.com/', city)).toBe('urlTemplate must not contain credentials');
    expect(templateProblem('/weather', city)).toBe('urlTemplate must be an absolute http or https URL');
  });

  it('wants an object schema', () => {
    expect(parametersProblem({ type: 'string' })).toMatch(/"type": "object"/);
    expect(parametersProblem({ type: 'object', properties: [] })).toBe('parameters.properties must be an object');
    expect(parametersProblem(city)).toBeNull();
  });

  it('fills placeholders URL-encoded and puts the other arguments in the query of a GET', () => {
    const { url, body } = buildHttpRequest('GET', 'https://api.example.com/weather/{city}', { city: 'São Paulo/../x', units: 'metric' });
    expect(url.href).toBe('https://api.example.com/weather/S%C3%A3o%20Paulo%2F..%2Fx?units=metric');
    expect(body).toBeUndefined();
  });

  it('sends the other arguments as a JSON body otherwise', () => {
    const { url, body } = buildHttpRequest('POST', 'https://api.example.com/notes/{city}', { city: 'Paris', text: 'hi', tags: ['a'] });
    expect(url.href).toBe('https://api.example.com/notes/Paris');
    expect(JSON.parse(body as string)).toEqual({ text: 'hi', tags: ['a'] });
  });
});
