/** Tinyshop's connection entry: the base fields every connection has, plus its own (zod, strict). */
import { z } from 'zod';
import { baseConnectionSchema } from '../../../src/core/config.ts';

export const tinyshopConfigSchema = baseConnectionSchema.extend({ kind: z.literal('tinyshop'), token: z.string().min(1) });
export type TinyshopConfig = z.infer<typeof tinyshopConfigSchema>;
