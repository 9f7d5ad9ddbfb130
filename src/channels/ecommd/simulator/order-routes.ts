/**
 * The simulated ecom.md order endpoints: the list (filters, ordering, paging), one order, and the
 * bulk upsert that writes statuses back (DRF's nested-serializer validation answers).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isEcommdStatus } from '../status-map.ts';
import { langOf, type Lang } from './data.ts';
import { DEFAULT_ORDERING, MSG_INVALID_PAGE, MSG_NOT_FOUND, MSG_REQUIRED, pageNumber, pageSize, single, type DrfAnswers, type Query } from './drf.ts';
import type { EcommdRequestCounters } from './counters.ts';
import { CLOSED_STATUSES, type EcommdStore } from './store.ts';

export const langOfRequest = (request: FastifyRequest): Lang => langOf(request.headers['accept-language']);

export function registerOrderRoutes(app: FastifyInstance, store: EcommdStore, counters: EcommdRequestCounters, drf: DrfAnswers): void {
  /** matching indices of a status-filtered query, cached for the paging of one query */
  let filterCache: { key: string; indices: Int32Array } | null = null;
  function filtered(first: number, statuses: ReadonlySet<string>): Int32Array {
    const key = `${first}|${[...statuses].sort().join(',')}|${store.version}`;
    if (filterCache?.key === key) return filterCache.indices;
    const out: number[] = [];
    for (let i = first; i < store.count(); i++) if (statuses.has(store.status(i))) out.push(i);
    filterCache = { key, indices: Int32Array.from(out) };
    return filterCache.indices;
  }

  app.get('/external/external-order', async (request, reply) => {
    const qs = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    return reply.code(301).header('location', `/external/external-order/${qs}`).send();
  });

  app.get('/external/external-order/', async (request, reply) => {
    const q = request.query as Query;
    if (counters.listQueries.length >= 200) counters.listQueries.shift();
    counters.listQueries.push(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Array.isArray(v) ? v.join('|') : String(v)])));

    const errors: Record<string, string[]> = {};
    const createdAfter = single(q, 'created_after');
    if (createdAfter !== undefined && createdAfter !== '' && !/^-?\d+(\.\d+)?$/.test(createdAfter)) errors.created_after = ['Enter a number.'];
    const statusParam = single(q, 'status');
    let statuses: Set<string> | null = null;
    if (statusParam !== undefined && statusParam !== '') {
      statuses = new Set(statusParam.split(',').map((s) => s.trim()).filter((s) => s !== ''));
      const bad = [...statuses].find((s) => !isEcommdStatus(s));
      if (bad !== undefined) errors.status = [`Select a valid choice. ${bad} is not one of the available choices.`];
    }
    if (Object.keys(errors).length > 0) return drf.send(request, reply, 400, errors);

    const ordering = single(q, 'ordering') ?? DEFAULT_ORDERING;
    // OrderingFilter ignores unknown fields and falls back to the default ordering
    const descending = ['created_at', 'id'].includes(ordering) ? false : ['-created_at', '-id'].includes(ordering) ? true : DEFAULT_ORDERING.startsWith('-');
    const lang = langOfRequest(request);
    const afterUs = createdAfter === undefined || createdAfter === '' ? null : Math.floor(Number(createdAfter)) * 1_000_000;

    const pageNo = pageNumber(q);
    if (pageNo === null) return drf.send(request, reply, 404, { detail: MSG_INVALID_PAGE });
    // a sync is paging right now: orders created meanwhile arrive before this page is computed
    if (pageNo >= 2 && store.faults.insertDuringPaging > 0) store.insertOrders(store.faults.insertDuringPaging);
    const first = afterUs === null ? 0 : store.firstAfter(afterUs);
    const indices = statuses === null ? null : filtered(first, statuses);
    const total = indices === null ? store.count() - first : indices.length;
    const size = pageSize(single(q, 'page_size'), store.faults.pageCap);
    return drf.pageOf(request, reply, total, size, pageNo, (p) => {
      const pos = descending ? total - 1 - p : p;
      const index = indices === null ? first + pos : indices[pos]!;
      counters.ordersServed++;
      return store.order(index, lang);
    });
  });

  app.get('/external/external-order/:id/', async (request, reply) => {
    const { id } = request.params as { id: string };
    const index = /^\d+$/.test(id) ? store.indexOf(Number(id)) : -1;
    if (index < 0) return drf.send(request, reply, 404, { detail: MSG_NOT_FOUND });
    counters.ordersServed++;
    return drf.send(request, reply, 200, store.order(index, langOfRequest(request)));
  });

  app.post('/external/external-order/', async (request, reply) => {
    const body = request.body;
    if (counters.upserts.length >= 50) counters.upserts.shift();
    counters.upserts.push(body);
    if (!Array.isArray(body)) {
      const type = body === null ? 'NoneType' : typeof body === 'object' ? 'dict' : typeof body === 'string' ? 'str' : typeof body;
      return drf.send(request, reply, 400, { non_field_errors: [`Expected a list of items but got type "${type}".`] });
    }
    if (body.length === 0) return drf.send(request, reply, 400, { non_field_errors: ['This list may not be empty.'] });
    const plans: UpsertPlan[] = [];
    const errors = body.map((element) => validateUpsert(store, element, plans));
    if (errors.some((e) => Object.keys(e).length > 0)) return drf.send(request, reply, 400, errors);
    for (const plan of plans) {
      if (plan.status === null || store.faults.ignoreWrites) continue;
      const current = store.status(plan.index);
      // [SIM] a closed order keeps its status: the upsert is accepted and changes nothing
      if (CLOSED_STATUSES.has(current) && plan.status !== current) continue;
      store.changeStatus(store.idOf(plan.index), plan.status);
    }
    const lang = langOfRequest(request);
    return drf.send(request, reply, 200, plans.map((p) => store.order(p.index, lang)));
  });
}

/** What a valid upsert element does: the order (by index) and the status it gets (null: none). */
interface UpsertPlan {
  index: number;
  status: string | null;
}

/** DRF's errors for one upsert element ({} when valid, and then its plan is pushed) */
function validateUpsert(store: EcommdStore, element: unknown, plans: UpsertPlan[]): Record<string, unknown> {
  if (element === null || typeof element !== 'object' || Array.isArray(element)) {
    return { non_field_errors: [`Invalid data. Expected a dictionary, but got ${Array.isArray(element) ? 'list' : typeof element}.`] };
  }
  const e = element as Record<string, unknown>;
  const errors: Record<string, unknown> = {};
  let index = -1;
  // [SIM] only updates are simulated: creating an order (no order_id) is refused
  if (e.order_id === undefined || e.order_id === null) errors.order_id = [MSG_REQUIRED];
  else if (!isInt(e.order_id)) errors.order_id = ['A valid integer is required.'];
  else {
    index = store.indexOf(Number(e.order_id));
    if (index < 0) errors.order_id = [`Invalid pk "${String(e.order_id)}" - object does not exist.`];
  }
  let status: string | null = null;
  if (e.status !== undefined && e.status !== null) {
    if (typeof e.status !== 'string' || !isEcommdStatus(e.status)) errors.status = [`"${String(e.status)}" is not a valid choice.`];
    else status = e.status;
  }
  const itemStatuses = new Set<string>();
  if (e.order_items !== undefined && e.order_items !== null) {
    if (!Array.isArray(e.order_items)) errors.order_items = { non_field_errors: [`Expected a list of items but got type "${typeof e.order_items}".`] };
    else {
      const known = index >= 0 ? new Set(store.itemIds(index)) : null;
      const itemErrors = e.order_items.map((item) => {
        const ie: Record<string, string[]> = {};
        if (item === null || typeof item !== 'object' || Array.isArray(item)) return { non_field_errors: ['Invalid data. Expected a dictionary.'] };
        const it = item as Record<string, unknown>;
        if (it.order_id === undefined || it.order_id === null) ie.order_id = [MSG_REQUIRED];
        else if (!isInt(it.order_id)) ie.order_id = ['A valid integer is required.'];
        else if (known !== null && !known.has(Number(it.order_id))) ie.order_id = [`Invalid pk "${String(it.order_id)}" - object does not exist.`];
        if (it.order_status !== undefined && it.order_status !== null) {
          if (typeof it.order_status !== 'string' || !isEcommdStatus(it.order_status)) ie.order_status = [`"${String(it.order_status)}" is not a valid choice.`];
          else itemStatuses.add(it.order_status);
        }
        if (it.quantity !== undefined && (!isInt(it.quantity) || Number(it.quantity) < 1)) ie.quantity = ['Ensure this value is greater than or equal to 1.'];
        if (it.product !== undefined && it.product !== null && !isInt(it.product)) ie.product = ['A valid integer is required.'];
        if (it.loyalty_price !== undefined && it.loyalty_price !== null && !/^\d+(\.\d{1,2})?$/.test(String(it.loyalty_price))) ie.loyalty_price = ['A valid number is required.'];
        return ie;
      });
      if (itemErrors.some((x) => Object.keys(x).length > 0)) errors.order_items = itemErrors;
    }
  }
  if (Object.keys(errors).length === 0) {
    // [SIM] one status per order: items must agree with each other and with a top-level status
    if (itemStatuses.size > 1) errors.order_items = { non_field_errors: ['All items of an order must have the same order_status.'] };
    else if (status !== null && itemStatuses.size === 1 && !itemStatuses.has(status)) {
      errors.non_field_errors = ['status and order_items[].order_status disagree.'];
    } else plans.push({ index, status: status ?? (itemStatuses.size === 1 ? [...itemStatuses][0]! : null) });
  }
  return errors;
}

function isInt(v: unknown): boolean {
  return (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));
}
