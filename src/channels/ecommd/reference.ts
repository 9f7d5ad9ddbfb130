/**
 * Reference data of an ecom.md site (Order Sync API page #1–5, #12): stores, regions, localities
 * of a region, Chișinău sectors, product search, promo codes. These are the data functions behind
 * `orderhub ecommd …`; each returns plain rows (names in the connection's language).
 *
 * Only the stores path is documented; the others are assumed (endpoints.ts) and configurable per connection
 * (`referencePaths`), so a 404 says which setting to change.
 */
import type { z } from 'zod';
import { OrderhubError } from '../../core/errors.ts';
import { HttpStatusError } from '../../core/http/errors.ts';
import { DEFAULT_REFERENCE_PATHS, fillReferencePath, type ReferenceKind } from './endpoints.ts';
import type { EcommdClient } from './client.ts';
import { referencePathOf, type EcommdConfig } from './config.ts';
import {
  placeSchema, productSchema, promoCodeSchema, storeSchema,
  type EcommdPlace, type EcommdProduct, type EcommdPromoCode, type EcommdStore,
} from './schemas.ts';

/** Stop following `next` links after this many rows unless asked for more (product catalogues are big). */
export const DEFAULT_REFERENCE_LIMIT = 1000;

export interface StoreRow {
  id: string;
  active: boolean | null;
  name: string | null;
  address: string | null;
  zipCode: string | null;
  phones: string[];
  email: string | null;
  lat: string | null;
  lon: string | null;
}
export interface PlaceRow {
  id: string;
  name: string;
  regionId: string | null;
  zipCode: string | null;
}
export interface ProductRow {
  id: string;
  code: string | null;
  name: string | null;
  price: string | null;
  loyaltyPrice: string | null;
  active: boolean | null;
}
export interface PromoCodeRow {
  id: string;
  code: string;
  discount: string | null;
  discountType: string | null;
  validFrom: string | null;
  validTo: string | null;
  active: boolean | null;
}

function str(v: string | number | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const t = String(v).trim();
  return t === '' ? null : t;
}

/** Decimal text as sent (JSON numbers via their shortest round-trip text; no float maths). */
function dec(v: string | number | null | undefined): string | null {
  return v === null || v === undefined ? null : String(v).trim();
}

export class EcommdReference {
  constructor(
    private readonly client: EcommdClient,
    private readonly config: Pick<EcommdConfig, 'referencePaths' | 'language'>,
  ) {}

  /** Every row of a reference list, following `next` links, each validated. */
  private async rows<T>(kind: ReferenceKind, schema: z.ZodType<T>, arg: { name: 'region' | 'search'; value: string } | null, limit: number, signal?: AbortSignal): Promise<T[]> {
    const template = referencePathOf(this.config, kind);
    let target: string | null = fillReferencePath(template, arg?.name ?? null, arg?.value ?? null);
    const out: T[] = [];
    const seen = new Set<string>();
    while (target !== null && out.length < limit) {
      let page: { records: unknown[]; next: string | null };
      try {
        page = await this.client.getList(kind, target, signal);
      } catch (err) {
        if (err instanceof HttpStatusError && err.status === 404) {
          const assumed = template === DEFAULT_REFERENCE_PATHS[kind] && kind !== 'stores' ? ' (an assumed path: ecom.md gives no URL)' : '';
          throw new OrderhubError(
            'reference_not_found',
            `ecom.md has no ${kind} endpoint at ${template}${assumed}; set referencePaths.${kind} in the connection (HTTP 404)`,
          );
        }
        throw err;
      }
      for (const [i, record] of page.records.entries()) {
        const parsed = schema.safeParse(record);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new OrderhubError('invalid_response', `ecom.md ${kind}: row ${out.length + i} is malformed at ${issue.path.join('.') || '(row)'}: ${issue.message}`);
        }
        out.push(parsed.data);
      }
      // a next link pointing back at a page already read would loop forever
      if (page.next !== null && seen.has(page.next)) break;
      if (page.next !== null) seen.add(page.next);
      target = page.next;
    }
    return out.slice(0, limit);
  }

  async stores(signal?: AbortSignal): Promise<StoreRow[]> {
    const rows = await this.rows<EcommdStore>('stores', storeSchema, null, Number.MAX_SAFE_INTEGER, signal);
    const lang = this.config.language;
    return rows.map((s) => {
      const a = s.addresses ?? null;
      const street = [str(a?.address), str(a?.house)].filter((x): x is string => x !== null).join(' ');
      const description = str((s as Record<string, unknown>)[`description_${lang}`] as string | null | undefined);
      return {
        id: String(s.id),
        active: s.is_active ?? null,
        name: str(s.tooltip_pin_text) ?? description,
        address: street === '' ? null : street,
        zipCode: str(a?.zip_code),
        phones: (s.phones ?? []).map((p) => str(p.phone)).filter((p): p is string => p !== null),
        email: str(s.email),
        lat: str(s.lat),
        lon: str(s.lon),
      };
    });
  }

  private static place(p: EcommdPlace): PlaceRow {
    return { id: String(p.id), name: p.name, regionId: str(p.region_id ?? null), zipCode: str(p.zip_code) };
  }

  async regions(signal?: AbortSignal): Promise<PlaceRow[]> {
    return (await this.rows('regions', placeSchema, null, DEFAULT_REFERENCE_LIMIT * 10, signal)).map(EcommdReference.place);
  }

  async localities(regionId: string, signal?: AbortSignal): Promise<PlaceRow[]> {
    if (!/^\d+$/.test(regionId.trim())) throw new OrderhubError('usage', `a region id is a number, got "${regionId}"`);
    return (await this.rows('localities', placeSchema, { name: 'region', value: regionId.trim() }, DEFAULT_REFERENCE_LIMIT * 10, signal)).map(
      EcommdReference.place,
    );
  }

  async sectors(signal?: AbortSignal): Promise<PlaceRow[]> {
    return (await this.rows('sectors', placeSchema, null, DEFAULT_REFERENCE_LIMIT, signal)).map(EcommdReference.place);
  }

  /** Products whose id, code or name matches `text` (the channel decides how). */
  async products(text: string, limit = 50, signal?: AbortSignal): Promise<ProductRow[]> {
    if (text.trim() === '') throw new OrderhubError('usage', 'a product search needs some text (an id, a code or a name)');
    const rows = await this.rows<EcommdProduct>('products', productSchema, { name: 'search', value: text.trim() }, limit, signal);
    return rows.map((p) => ({
      id: String(p.id),
      code: str(p.code),
      name: str(p.name),
      price: dec(p.price),
      loyaltyPrice: dec(p.loyalty_price),
      active: p.is_active ?? null,
    }));
  }

  async promoCodes(signal?: AbortSignal): Promise<PromoCodeRow[]> {
    const rows = await this.rows<EcommdPromoCode>('promocodes', promoCodeSchema, null, DEFAULT_REFERENCE_LIMIT, signal);
    return rows.map((p) => ({
      id: String(p.id),
      code: p.code,
      discount: dec(p.discount),
      discountType: str(p.discount_type),
      validFrom: str(p.date_start),
      validTo: str(p.date_end),
      active: p.is_active ?? null,
    }));
  }
}
