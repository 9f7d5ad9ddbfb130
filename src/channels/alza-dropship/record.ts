/**
 * The dropship order as orderhub keeps it: everything Alza told us about one order (the Insert, the
 * Confirm, …) and what we told Alza (shipment, departure, tracking, delivery result), with the
 * supplier-side state. It is the "raw record" the connector maps to the canonical order, so it is
 * also what the store keeps verbatim as the order's payload.
 *
 * States (README "State machine"):
 *   reserved ──Confirm──▶ confirmed ──Create shipment──▶ shipment_created ──Departure──▶ departed
 *      │  ▲                  │                                    │                     │
 *      │  └─Extend/Insert─ expired (validUntil passed, stock released)                 ├─Delivered─▶ delivered
 *      └──Cancel──▶ cancelled ◀──Cancel (policy) / Delivery result Canceled            └─Rejected──▶ rejected
 *   out_of_stock: an Insert answered -3 (nothing reserved; not a canonical order)
 */
import type { ConfirmRequest, InsertRequest } from './schemas.ts';

export const DROPSHIP_STATES = [
  'reserved', 'out_of_stock', 'expired', 'confirmed', 'shipment_created', 'departed', 'delivered', 'rejected', 'cancelled',
] as const;

export type DropshipState = (typeof DROPSHIP_STATES)[number];

/** States that hold stock in dropship_reservations. */
export const HOLDING_STATES: ReadonlySet<DropshipState> = new Set(['reserved', 'confirmed', 'shipment_created']);

export interface CatalogSnapshot {
  code: string;
  ean: string | null;
  name: string | null;
}

export interface ShipmentPackage {
  /** our Id64 of the package (Create shipment) */
  packageId: string | null;
  /** the carrier's package number */
  number: string;
  fullNumber: string | null;
  ttUrl: string | null;
  /** kg, exact decimal text */
  weight: string | null;
}

export interface DropshipOrderRecord {
  orderNumber: string;
  supplierOrder: string;
  state: DropshipState;
  /** UTC: the timestamp of the first Insert (Alza sends it when the customer ordered) */
  orderedAt: string;
  /** UTC: when we first received the Insert */
  receivedAt: string;
  /** UTC: end of the reservation (kept after Confirm, when it no longer applies) */
  validUntil: string | null;
  /** the first Insert, validated and normalised */
  insert: InsertRequest;
  /** the catalog's code, EAN and name of each ordered product (by product key) when reserved */
  products: Record<string, CatalogSnapshot>;
  confirm: ConfirmRequest | null;
  confirmedAt: string | null;
  cancelledAt: string | null;
  /** buyer: Alza's Cancel; expired: validUntil passed; supplier: our Delivery result Canceled */
  cancelReason: 'buyer' | 'expired' | 'supplier' | null;
  /** Buyer shipping mode: from Create shipment; Supplier mode: our own numbers, from the departure */
  shipment: { number: string; packages: ShipmentPackage[]; createdAt: string } | null;
  departedAt: string | null;
  tracking: Array<{ status: string; statusTimestamp: string; at: string }>;
  delivery: { status: 'Delivered' | 'Rejected' | 'Canceled'; statusTimestamp: string; errorReason: string | null; at: string } | null;
}
