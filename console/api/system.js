/** /health: the service's clock (the sandbox clock in sandbox mode) for the countdowns. */
import { request } from './http.js';

export const health = () => request('GET', '/health');
