/**
 * What the Supplier API answers: an HTTP status and a body with the doc's errorCode and errorMessage,
 * and for Insert our order number, the reservation's end or the products that fell short
 * [DOC Supplier API]. routes.ts writes it as JSON or K2's XML.
 */
import type { AlzaDropshipConfig } from './config.ts';
import { ERROR_CODES, formatTimestamp, type ErrorCode } from './protocol.ts';

export interface ErrorProduct {
  code: string;
  quantity: number;
  limited: boolean;
}

export interface AnswerBody {
  errorCode: ErrorCode;
  errorMessage: string;
  supplierOrder?: string;
  validUntil?: string;
  errorProducts?: ErrorProduct[];
}

export interface SupplierAnswer {
  status: number;
  body: AnswerBody;
}

export function answer(status: number, errorCode: ErrorCode, errorMessage: string, extra: Partial<AnswerBody> = {}): SupplierAnswer {
  return { status, body: { errorCode, errorMessage, ...extra } };
}

export const unknownOrder = (): SupplierAnswer => answer(400, ERROR_CODES.InvalidInput, 'Unknown order.');

/** 201 + 0 with our order number and the reservation's end (for a confirmed order: the end it had). */
export function insertAccepted(supplierOrder: string, validUntil: string | null, config: AlzaDropshipConfig): SupplierAnswer {
  return answer(201, ERROR_CODES.Success, '', {
    supplierOrder,
    ...(validUntil === null ? {} : { validUntil: formatTimestamp(new Date(validUntil), config.timeZone) }),
  });
}

/** 200 + -3 with what is available of each product that fell short. */
export function outOfStock(short: ReadonlyArray<{ code: string; available: number }>): SupplierAnswer {
  return answer(200, ERROR_CODES.OutOfStock, 'Out of stock', {
    errorProducts: short.map((s) => ({ code: s.code, quantity: s.available, limited: false })),
  });
}

/** A request about another supplier or branch than this connection's is invalid input. */
export function checkParties(config: AlzaDropshipConfig, req: { supplierId?: number | undefined; supplierBranchId?: number | undefined }): SupplierAnswer | null {
  if (req.supplierId !== undefined && req.supplierId !== config.supplierId) {
    return answer(400, ERROR_CODES.InvalidInput, `supplierId ${req.supplierId} is not ours (${config.supplierId})`);
  }
  if (req.supplierBranchId !== undefined && req.supplierBranchId !== config.supplierBranchId) {
    return answer(400, ERROR_CODES.InvalidInput, `Unknown supplierBranchId ${req.supplierBranchId} (this connection serves branch ${config.supplierBranchId})`);
  }
  return null;
}
