/** Every channel orderhub supports: adding a channel is one folder and one line here. */
import { ChannelRegistry } from '../core/registry.ts';
import { alzaDropshipChannel } from './alza-dropship/index.ts';
import { alzaTradeChannel } from './alza-trade/index.ts';
import { drinks2cashChannel } from './drinks2cash/index.ts';
import { dropohsChannel } from './dropohs/index.ts';
import { ecommdChannel } from './ecommd/index.ts';

export const channels = new ChannelRegistry([
  alzaTradeChannel,
  alzaDropshipChannel,
  drinks2cashChannel,
  dropohsChannel,
  ecommdChannel,
]);
