/**
 * The overlap that lets a signing or hashing secret be rotated without ending every session or
 * locking everyone out: each rotatable secret may have an optional `<NAME>_PREVIOUS`, read only to
 * verify (tokens are signed, passwords hashed, under the current value alone).
 *
 * The `_PREVIOUS` values are deliberately not in any `[secrets] required` list (a deployment
 * without one must start), and `npm run types` types only what the configs declare, so they are
 * absent from the generated `env.d.ts`. This one accessor reads them untyped, in one place; an
 * empty string counts as unset, so `wrangler secret put NAME_PREVIOUS` with an empty value (or a
 * blank `.dev.vars` line) switches the overlap off.
 */

/** The secrets that have an overlap (docs/operations.md, Secrets rotation). */
export type RotatedSecret = "JWT_SECRET" | "PASSWORD_PEPPER";

/** The current value first, then the previous one when it is set and differs. */
export type SecretValues = readonly [current: string, ...previous: string[]];

/** `<name>_PREVIOUS`, or `undefined` when it is unset, empty or not a string. */
export function previousSecret(
	env: { readonly [K in RotatedSecret]: string },
	name: RotatedSecret,
): string | undefined {
	const value: unknown = (env as unknown as Record<string, unknown>)[`${name}_PREVIOUS`];
	return typeof value === "string" && value !== "" ? value : undefined;
}

/** The values to verify under, in order: the current one, then the previous one if any. */
export function secretValues(env: { readonly [K in RotatedSecret]: string }, name: RotatedSecret): SecretValues {
	const previous = previousSecret(env, name);
	return previous === undefined || previous === env[name] ? [env[name]] : [env[name], previous];
}
