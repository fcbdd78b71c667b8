import { describe, expect, it } from 'vitest';
import { createKidSightings } from '../../src/jwks/kid-sightings.js';

describe('kid sightings', () => {
  it('lets only a fetch that started after the first sighting decide a kid', () => {
    const sightings = createKidSightings();
    sightings.see('ES256', 'k1', 3);

    expect(sightings.decidedBy('ES256', 'k1', 3)).toBe(false);
    expect(sightings.decidedBy('ES256', 'k1', 4)).toBe(true);
  });

  it('keeps the first sighting when a kid is seen again', () => {
    const sightings = createKidSightings();
    sightings.see('ES256', 'k1', 1);
    sightings.see('ES256', 'k1', 5);

    expect(sightings.decidedBy('ES256', 'k1', 2)).toBe(true);
  });

  it('never decides a kid it has not seen', () => {
    expect(createKidSightings().decidedBy('ES256', 'never-seen', 100)).toBe(false);
  });

  it('records tokens without kid per algorithm', () => {
    const sightings = createKidSightings();
    sightings.see('RS256', undefined, 1);

    expect(sightings.decidedBy('RS256', undefined, 2)).toBe(true);
    expect(sightings.decidedBy('ES256', undefined, 2)).toBe(false);
  });

  it('forgets the oldest kids past 10,000, which makes them undecided again rather than unknown', () => {
    const sightings = createKidSightings();
    for (let i = 0; i <= 10_000; i++) sightings.see('ES256', `kid-${i}`, 1);

    expect(sightings.decidedBy('ES256', 'kid-0', 2)).toBe(false);
    expect(sightings.decidedBy('ES256', 'kid-10000', 2)).toBe(true);
  });

  it('bounds the characters it keeps: a kid of a million characters is never recorded', () => {
    const sightings = createKidSightings();
    const huge = 'k'.repeat(1_000_001);
    sightings.see('ES256', huge, 1);

    expect(sightings.decidedBy('ES256', huge, 2)).toBe(false);
  });
});
