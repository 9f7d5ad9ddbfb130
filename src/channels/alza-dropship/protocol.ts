/**
 * Constants of the Alza Dropshipment ("Drop") API, doc version 1.183 (sources in README.md): error
 * codes (numbers in JSON, K2's enum names in XML), enumerations, resend intervals, and the CET
 * wall-time format of `Timestamp`.
 */
import { DateTime } from 'luxon';
import { wallTimeToUtc } from '../../core/canonical/time.ts';

/** The zone of the API's `Timestamp` ("CET, no offset"): Prague wall time, daylight saving included. */
export const DROPSHIP_ZONE = 'Europe/Prague';

export const ERROR_CODES = {
  Success: 0,
  GenericError: -1,
  InvalidInput: -2,
  OutOfStock: -3,
  InvalidPrice: -4,
  OperationRejected: -5,
  BadResponse: -6,
  /** not in K2's enum (it predates it); our name for XML answers */
  ResendLimitViolated: -7,
} as const;

export type ErrorCodeName = keyof typeof ERROR_CODES;
export type ErrorCode = (typeof ERROR_CODES)[ErrorCodeName];

const NAME_BY_CODE = new Map<number, ErrorCodeName>(
  Object.entries(ERROR_CODES).map(([name, code]) => [code, name as ErrorCodeName]),
);

/** K2 answers XML with the enum's name (`<errorCode>OutOfStock</errorCode>`), JSON with the number. */
export function errorCodeName(code: ErrorCode): ErrorCodeName {
  return NAME_BY_CODE.get(code)!;
}

/** Reads an errorCode from either form (number, numeric string, or K2 enum name). */
export function parseErrorCode(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const t = value.trim();
    if (/^-?\d+$/.test(t)) return Number(t);
    if (Object.hasOwn(ERROR_CODES, t)) return ERROR_CODES[t as ErrorCodeName];
  }
  return null;
}

// Enumerations [DOC 1.183, Data Structures]. Carrier codes and carrier delivery types grow with
// every new carrier Alza signs, so the server accepts unknown ones with a warning (see README);
// the enumerations that drive our own logic are checked strictly.
export const SHIPPING_CARRIER_CODES = [
  'ALZA', 'CZPOST', 'DHL', 'DPD', 'DPDSK', 'DPDHU', 'FOFR', 'GebruderWeiss', 'GEISPARCEL', 'GEISCARGO', 'GLS', 'GO',
  'HELICAR', 'MagyarPOST', 'Najbert', 'PPL', 'RHENUS', 'SKPOST', 'SKYNET', 'TOPTRANS', 'UPS', 'WEDO', 'ZASILKOVNA',
  'ZavolejSiKuryra',
] as const;

export const SHIPPING_CARRIER_DELIVERY_TYPES = [
  'Supplier', 'COURIER', 'ALZABRANCH', 'ALZABOX', 'CZPOSTD', 'CZPOSTP', 'CZPOSTB', 'DHL', 'DPD', 'DPDSK', 'DPDHU',
  'DPDALZABOX', 'DPDBOX', 'DPDPARCELSHOP', 'FOFRSTD', 'GebruderWeissStandard', 'GEIS', 'GEISPOINT', 'GEISCARGO', 'GLS',
  'GO', 'HELICARSTD', 'HELICARUP', 'MagyarPOSTHD', 'MagyarPOSTPO', 'MagyarPOSTPP', 'MagyarPOSTPT', 'PPL',
  'PPLPARCELSHOP', 'RHENUS', 'SKPOSTD', 'SKPOSTP', 'SKYNET', 'TOPTRANS', 'UPS', 'WEDOHD', 'ZASILKOVNA',
  'ZavolejSiKuryra',
] as const;

export const PARCEL_SHOP_IDENTIFICATIONS = [
  'ALZABOX', 'CZPOSTB', 'CZPOSTP', 'DPDALZABOX', 'DPDBOX', 'DPDPARCELSHOP', 'GEISPOINT', 'PPLPARCELSHOP', 'ZASILKOVNA',
] as const;

export const SHIPMENT_DELIVERY_TYPES = ['B2C', 'B2B', 'Branch', 'ParcelShop'] as const;
export const SHIPMENT_SHIPPING_MODES = ['Buyer', 'Supplier'] as const;
export const PACKAGE_SORTING_GROUPS = ['RegularDirect', 'Linehaul', 'CrossLC'] as const;
export const TRACK_STATUSES = ['Depot', 'Delivery', 'Stored', 'Delivered', 'Rejected'] as const;
export const DELIVERY_RESULTS = ['Canceled', 'Delivered', 'Rejected'] as const;
export const IMPORT_TYPES = ['Update', 'PartialFull', 'Full'] as const;

export type TrackStatus = (typeof TRACK_STATUSES)[number];
export type DeliveryResultStatus = (typeof DELIVERY_RESULTS)[number];
export type ImportType = (typeof IMPORT_TYPES)[number];

/** National currency per country [DOC]. */
export const NATIONAL_CURRENCY: Readonly<Record<string, string>> = {
  CZ: 'CZK', SK: 'EUR', HU: 'HUF', AT: 'EUR', DE: 'EUR', PL: 'PLN',
};

/** Most products per Availability message [DOC: PartialFull ≤ 10 000; we keep Update to it as well]. */
export const MAX_PRODUCTS_PER_MESSAGE = 10_000;

/**
 * Resend intervals in minutes [DOC "Resend intervals"]: a message of a kind about one subject may be
 * sent `short` minutes after the previous one when at most 2 other messages were sent in the observed
 * `range`, otherwise only after `default`; sending faster is answered `-7`.
 */
export interface ResendInterval {
  short: number;
  default: number;
  range: number;
}

export const RESEND_INTERVALS = {
  'availability.Update': { short: 1, default: 10, range: 30 },
  'availability.PartialFull': { short: 1, default: 1, range: 60 },
  'availability.Full': { short: 10, default: 10, range: 60 },
  order: { short: 1, default: 10, range: 60 },
  // "15 (temporarily 5)": we keep to 15, which satisfies both readings
  'shipment.create': { short: 1, default: 15, range: 60 },
  'shipment.delete': { short: 1, default: 15, range: 60 },
  departure: { short: 1, default: 15, range: 60 },
  track: { short: 1, default: 15, range: 60 },
  delivery: { short: 5, default: 30, range: 60 },
} as const satisfies Record<string, ResendInterval>;

export type PaceKey = keyof typeof RESEND_INTERVALS;

/**
 * The earliest instant the next message about a subject may be sent, given the instants earlier ones
 * were sent (any order). Shared by our outbox (to never earn a -7) and the simulator (to answer -7).
 */
export function earliestNextSend(pace: ResendInterval, sentAt: readonly number[], now: number): number {
  const inRange = sentAt.filter((t) => t > now - pace.range * 60_000 && t <= now);
  if (inRange.length === 0) return now;
  const last = Math.max(...inRange);
  const gap = inRange.length <= 2 ? pace.short : pace.default;
  return last + gap * 60_000;
}

/** Same rule as seen by the receiver of a new message at `now`: is it too early? */
export function violatesResendLimit(pace: ResendInterval, previousSentAt: readonly number[], now: number): boolean {
  // a tolerance of 1 s absorbs clock and network jitter between the two sides
  return earliestNextSend(pace, previousSentAt, now) > now + 1_000;
}

const TIMESTAMP_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?$/;

/** `YYYY-MM-DDThh:mm:ss.nnn` [DOC]; WCF senders may write 0–7 fraction digits, so those are read too. */
export function isTimestamp(value: string): boolean {
  return TIMESTAMP_RE.test(value);
}

/** A UTC instant as the API's Timestamp: Prague wall time, no offset, milliseconds. */
export function formatTimestamp(at: Date, zone = DROPSHIP_ZONE): string {
  return DateTime.fromJSDate(at, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
}

/** An API Timestamp (Prague wall time) as a UTC ISO instant. Throws on a malformed value. */
export function parseTimestamp(value: string, zone = DROPSHIP_ZONE): string {
  const m = TIMESTAMP_RE.exec(value.trim());
  if (!m) throw new TypeError(`"${value}" is not a Timestamp (YYYY-MM-DDThh:mm:ss.nnn)`);
  const millis = (m[2] ?? '').slice(0, 3);
  return wallTimeToUtc(millis ? `${m[1]}.${millis}` : m[1]!, zone);
}

/** `Date` (YYYY-MM-DD) with a real calendar day. */
export function isDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}
