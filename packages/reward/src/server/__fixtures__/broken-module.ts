// A reward module whose top-level code fails, as one would whose evidence store cannot be opened.
import { TradeR1Error } from '@trade-r1/core';

throw new TradeR1Error('STORE_ERROR', 'cannot open the evidence store at /nonexistent');
