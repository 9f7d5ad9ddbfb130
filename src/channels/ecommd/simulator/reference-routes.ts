/** The simulated ecom.md reference data: shops, regions, localities, sectors, products, promo codes. */
import type { FastifyInstance } from 'fastify';
import { CATALOGUE, CHISINAU_CITY_ID, LOCALITIES, PROMO_CODES, REGIONS, SECTORS, STORES, nameIn } from './data.ts';
import { MSG_REQUIRED, single, type DrfAnswers, type Query } from './drf.ts';
import { langOfRequest } from './order-routes.ts';

export function registerReferenceRoutes(app: FastifyInstance, drf: DrfAnswers): void {
  app.get('/external/shop/', async (request, reply) =>
    drf.send(request, reply, 200, STORES.map((s, k) => ({
      id: s.id,
      lat: s.lat,
      lon: s.lon,
      tooltip_pin_text: s.tooltip,
      email: s.email,
      order: k + 1,
      description_ro: s.descriptionRo,
      description_ru: s.descriptionRu,
      description_en: null,
      description_uk: null,
      iframe: '',
      company_id: null,
      is_active: true,
      phones: s.phones.map((phone, n) => ({ id: s.id * 10 + n, phone })),
      addresses: {
        region_id: s.regionId, locality_id: s.localityId, sector_id: s.sectorId, address: s.address, house: s.house,
        entrance: null, apartment: null, zip_code: s.zip,
      },
    }))),
  );

  app.get('/external/region/', async (request, reply) => {
    const lang = langOfRequest(request);
    return drf.send(request, reply, 200, REGIONS.map((r) => ({ id: r.id, name: nameIn(r, lang) })));
  });

  app.get('/external/locality/', async (request, reply) => {
    const q = request.query as Query;
    const region = single(q, 'region');
    if (region === undefined || region === '') return drf.send(request, reply, 400, { region: [MSG_REQUIRED] });
    if (!/^\d+$/.test(region)) return drf.send(request, reply, 400, { region: ['Enter a whole number.'] });
    const lang = langOfRequest(request);
    const rows = LOCALITIES.filter((l) => l.regionId === Number(region));
    return drf.page(request, reply, rows.length, (p) => {
      const l = rows[p]!;
      return { id: l.id, name: nameIn(l, lang), region_id: l.regionId, zip_code: l.zip };
    });
  });

  app.get('/external/sector/', async (request, reply) => {
    const lang = langOfRequest(request);
    return drf.send(request, reply, 200, SECTORS.map((s) => ({ id: s.id, name: nameIn(s, lang), locality_id: CHISINAU_CITY_ID })));
  });

  app.get('/external/product/', async (request, reply) => {
    const q = request.query as Query;
    const search = (single(q, 'search') ?? '').trim().toLowerCase();
    const lang = langOfRequest(request);
    // SearchFilter: every term must match id, code or a name (icontains)
    const terms = search.split(/\s+/).filter((t) => t !== '');
    const rows = CATALOGUE.filter((p) =>
      terms.every((t) => String(p.id) === t || p.code.toLowerCase().includes(t) || p.ro.toLowerCase().includes(t) || p.ru.toLowerCase().includes(t)),
    );
    return drf.page(request, reply, rows.length, (n) => {
      const p = rows[n]!;
      return {
        id: p.id, code: p.code, name: lang === 'ru' ? p.ru : p.ro, price: money(p.price),
        loyalty_price: p.loyalty === null ? null : money(p.loyalty), is_active: true,
      };
    });
  });

  app.get('/external/promocode/', async (request, reply) =>
    drf.page(request, reply, PROMO_CODES.length, (n) => {
      const p = PROMO_CODES[n]!;
      return { id: p.id, code: p.code, discount: `${p.discount}.00`, discount_type: 'percent', date_start: p.start, date_end: p.end, is_active: p.active };
    }),
  );
}

function money(bani: number): string {
  return `${Math.floor(bani / 100)}.${String(bani % 100).padStart(2, '0')}`;
}
