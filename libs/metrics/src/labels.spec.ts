import { describe, expect, it } from 'vitest';
import { BoundedLabel, httpMethodLabel, OTHER, oneOf, routeLabel, statusCodeLabel } from './labels';

describe('label bounding', () => {
  it('keeps the first distinct values of a learnt label and counts every later one as _other', () => {
    const tenants = new BoundedLabel(3);
    expect(['acme', 'globex', 'acme', 'initech'].map((t) => tenants.value(t))).toEqual([
      'acme',
      'globex',
      'acme',
      'initech',
    ]);
    const flood = Array.from({ length: 1_000 }, (_, i) => tenants.value(`tenant-${i}`));
    expect(new Set(flood)).toEqual(new Set([OTHER]));
    // Values admitted before the bound was reached keep their series.
    expect(tenants.value('globex')).toBe('globex');
  });

  it('never admits an empty, missing or overlong value', () => {
    const tenants = new BoundedLabel(10);
    expect(tenants.value('')).toBe(OTHER);
    expect(tenants.value(undefined)).toBe(OTHER);
    expect(tenants.value(null)).toBe(OTHER);
    expect(tenants.value('x'.repeat(129))).toBe(OTHER);
    expect(tenants.value('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it('takes a new bound without dropping the values already admitted', () => {
    const tenants = new BoundedLabel(1);
    expect(tenants.value('a')).toBe('a');
    expect(tenants.value('b')).toBe(OTHER);
    tenants.setMax(2);
    expect(tenants.value('b')).toBe('b');
    expect(tenants.value('c')).toBe(OTHER);
    expect(tenants.value('a')).toBe('a');
  });

  it('names a route by its template; a request no route matched is _unmatched, never its path', () => {
    expect(routeLabel('/v1/tasks/:id')).toBe('/v1/tasks/:id');
    expect(routeLabel(undefined)).toBe('_unmatched');
    expect(routeLabel('')).toBe('_unmatched');
  });

  it('bounds HTTP methods to the standard ones and status codes to 100–599', () => {
    expect(httpMethodLabel('get')).toBe('GET');
    expect(httpMethodLabel('PROPFIND')).toBe('_OTHER');
    expect(httpMethodLabel('x'.repeat(1_000))).toBe('_OTHER');
    expect(statusCodeLabel(404)).toBe('404');
    expect(statusCodeLabel(99)).toBe(OTHER);
    expect(statusCodeLabel(600)).toBe(OTHER);
    expect(statusCodeLabel(200.5)).toBe(OTHER);
  });

  it('maps a value outside a known set to _other', () => {
    const kinds = ['plan', 'draft'] as const;
    expect(oneOf('plan', kinds)).toBe('plan');
    expect(oneOf('drop table', kinds)).toBe(OTHER);
    expect(oneOf(42, kinds)).toBe(OTHER);
  });
});
