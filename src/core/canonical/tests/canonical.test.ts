import { describe, expect, it } from 'vitest';
import { addDecimals, decimalFromJsonNumber, grossFromNet, multiplyDecimals, parseDecimal, toScale } from '../money.ts';
import { statusMapper, isOpenStatus } from '../status.ts';
import { parseDuration, startOfLocalDay, utcToWallTime, wallTimeToUtc } from '../time.ts';

describe('wall times to UTC', () => {
  it('converts summer and winter times with their offsets', () => {
    expect(wallTimeToUtc('2022-09-26 10:11:43', 'Europe/Warsaw')).toBe('2022-09-26T08:11:43.000Z');
    expect(wallTimeToUtc('2023-01-13 14:19:43', 'Europe/Warsaw')).toBe('2023-01-13T13:19:43.000Z');
    expect(wallTimeToUtc('2021-04-27 12:04:46', 'Europe/Prague')).toBe('2021-04-27T10:04:46.000Z');
    expect(wallTimeToUtc('2025-06-01T19:33:43.513', 'Europe/Prague')).toBe('2025-06-01T17:33:43.513Z');
    expect(wallTimeToUtc('2025-01-10 12:00:00', 'Europe/Chisinau')).toBe('2025-01-10T10:00:00.000Z');
  });

  it('is right on both sides of the spring and autumn switches, every time it is asked', () => {
    for (let round = 0; round < 2; round++) {
      // spring: 02:00 -> 03:00 on 2025-03-30 in Warsaw
      expect(wallTimeToUtc('2025-03-30 01:59:59', 'Europe/Warsaw')).toBe('2025-03-30T00:59:59.000Z');
      expect(wallTimeToUtc('2025-03-30 03:00:00', 'Europe/Warsaw')).toBe('2025-03-30T01:00:00.000Z');
      // the hour that does not exist moves forward by the gap: 02:30 is read as 03:30 summer time
      expect(wallTimeToUtc('2025-03-30 02:30:00', 'Europe/Warsaw')).toBe('2025-03-30T01:30:00.000Z');
      // autumn: 03:00 -> 02:00 on 2025-10-26; 02:30 happens twice and is read as the later one
      expect(wallTimeToUtc('2025-10-26 01:59:59', 'Europe/Warsaw')).toBe('2025-10-25T23:59:59.000Z');
      expect(wallTimeToUtc('2025-10-26 02:30:00', 'Europe/Warsaw')).toBe('2025-10-26T01:30:00.000Z');
      expect(wallTimeToUtc('2025-10-26 03:00:00', 'Europe/Warsaw')).toBe('2025-10-26T02:00:00.000Z');
    }
  });

  it('refuses what is not a wall time or not a calendar date', () => {
    expect(() => wallTimeToUtc('not-a-date', 'Europe/Warsaw')).toThrow(/not a local date-time/);
    expect(() => wallTimeToUtc('2023-02-30 10:00:00', 'Europe/Warsaw')).toThrow(/not a valid/);
    expect(() => wallTimeToUtc('2023-13-01 10:00:00', 'Europe/Warsaw')).toThrow(/not a valid/);
  });

  it('round-trips through utcToWallTime and finds local midnights', () => {
    expect(utcToWallTime('2022-09-26T08:11:43.000Z', 'Europe/Warsaw')).toBe('2022-09-26 10:11:43');
    expect(startOfLocalDay('2025-07-01', 'Europe/Prague').toISOString()).toBe('2025-06-30T22:00:00.000Z');
  });

  it('parses durations', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('exact decimals', () => {
  it('adds and multiplies without float artefacts', () => {
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimals(['581.00', '52.11', '25.00'], 2)).toBe('658.11');
    expect(multiplyDecimals('5.81', '100.00', 2)).toBe('581.00');
    expect(grossFromNet('5.81', '23')).toBe('7.15');
    expect(toScale('25', 2)).toBe('25.00');
  });

  it('reads JSON floats as the literal the channel wrote', () => {
    expect(decimalFromJsonNumber(10189, 2)).toBe('10189.00');
    expect(decimalFromJsonNumber(0.1 + 0.2 === 0.3 ? 0.3 : 1234.56, 2)).toBe('1234.56');
    expect(decimalFromJsonNumber(99.9)).toBe('99.9');
  });

  it('refuses what is not a decimal', () => {
    expect(() => parseDecimal('12,50', 'price')).toThrow(/price: "12,50" is not a decimal/);
    expect(() => parseDecimal('1e5')).toThrow();
  });
});

describe('status mapping', () => {
  const map = statusMapper({ NEW: 'new', REALIZED: 'shipped', CANCELLED: 'cancelled' });
  it('maps known statuses and holds unknown ones', () => {
    expect(map('REALIZED')).toEqual({ status: 'shipped', unknown: false });
    expect(map('PARTIALLY_REALIZED')).toEqual({ status: 'on_hold', unknown: true });
    expect(map('toString')).toEqual({ status: 'on_hold', unknown: true });
  });
  it('treats delivered, completed, cancelled and returned as terminal', () => {
    expect(isOpenStatus('shipped')).toBe(true);
    expect(isOpenStatus('cancelled')).toBe(false);
  });
});
