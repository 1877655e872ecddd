/** Request body limits, shared by the edge (which enforces them first) and the handlers that re-check. */

/** Every JSON body. */
export const JSON_LIMIT_BYTES = 1024 * 1024;
/** An attachment upload (`PUT /api/v1/listings/:id/attachments/:name`). */
export const UPLOAD_LIMIT_BYTES = 25 * 1024 * 1024;
