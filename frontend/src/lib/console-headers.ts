/** Every request that may use the session cookie carries this header (the API's CSRF defence):
 * the console's and GraphiQL's, both served by the API itself. */
export const CONSOLE_HEADERS: Record<string, string> = { 'x-pushnest-console': '1' }
