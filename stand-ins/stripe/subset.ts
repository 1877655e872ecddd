/**
 * The part of Stripe's published OpenAPI description the stand-in serves, kept as data in
 * `openapi-subset.json` (its `source` names the repository, file and commit it was read from).
 * Requests are validated against it the way Stripe validates them — an unknown parameter, a
 * missing one, a malformed integer or a value outside an enum is a 400 naming the parameter — and
 * the unit tests check every field the stand-in returns against its `objects`. Validation also
 * coerces: integers and booleans arrive as strings in a form and leave as numbers and booleans.
 */
import { readFileSync } from "node:fs";
import { invalidRequest, missingParameter, type StripeApiError, unknownParameter } from "./errors.ts";
import type { FormTree, FormValue } from "./form.ts";

/** When a parameter exists: from API version `since`, before version `until` (dates, `2026-09-30`). */
interface Versioned {
	since?: string;
	until?: string;
	/** Where a parameter not in the spec read comes from. */
	source?: string;
}

export type ParamSchema = Versioned &
	(
		| { type: "string"; enum?: string[]; maxLength?: number; format?: string; narrowed?: boolean }
		| { type: "integer"; format?: string }
		| { type: "boolean" }
		| { type: "array"; items: ParamSchema }
		| {
				type: "object";
				properties?: Record<string, ParamSchema>;
				/** A string map (metadata): any key, string values. */
				additionalProperties?: { type: "string" };
				/** `""` unsets it (the spec's `anyOf: [object, enum [""]]`). */
				emptyable?: boolean;
				required?: string[];
				/** Required by Stripe at run time though the spec does not mark it. */
				also_required?: string[];
		  }
	);

export interface Operation {
	method: "GET" | "POST";
	path: string;
	/** The schema in `components.schemas` the call answers with. */
	response: string;
	params: Record<string, ParamSchema>;
	required?: string[];
	also_required?: string[];
	/** Where in spec3.json this operation was read (character offset), for whoever checks it again. */
	read_at?: number;
}

export interface FieldSchema {
	type: "string" | "integer" | "number" | "boolean" | "object" | "array";
	nullable?: boolean;
	enum?: string[];
	/** Names the object this id expands to with `expand[]`. */
	expandable?: string;
	/** An embedded object of that schema (a list's `data` items, a dispute's balance transactions). */
	ref?: string;
	fields?: Record<string, FieldSchema>;
	items?: FieldSchema;
	/** A string map such as metadata. */
	additionalProperties?: boolean;
	source?: string;
	/** Any Stripe object, checked against the schema its own `object` names (an event's `data.object`). */
	polymorphic?: boolean;
	/** Anything (an event's `previous_attributes`). */
	any?: boolean;
}

export interface ObjectSchema {
	fields: Record<string, FieldSchema>;
}

export interface Subset {
	source: Record<string, unknown>;
	operations: Record<string, Operation>;
	objects: Record<string, ObjectSchema>;
}

export type Params = Record<string, unknown>;

export function loadSubset(): Subset {
	return JSON.parse(readFileSync(new URL("./openapi-subset.json", import.meta.url), "utf8")) as Subset;
}

function childPath(path: string, key: string): string {
	return path === "" ? key : `${path}[${key}]`;
}

function isTree(value: FormValue | undefined): value is FormTree {
	return typeof value === "object" && value !== null;
}

function emptyString(path: string): StripeApiError {
	return invalidRequest(
		`You passed an empty string for '${path}'. We assume empty values are an attempt to unset a parameter; however '${path}' cannot be unset. You should remove '${path}' from your request or supply a non-empty value.`,
		{ code: "parameter_invalid_empty", param: path },
	);
}

function oneOf(values: string[]): string {
	if (values.length <= 1) return values.join("");
	return `${values.slice(0, -1).join(", ")}, or ${values.at(-1)}`;
}

const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 };

/** The date part of an API version (`2026-10-28.endive` → `2026-10-28`), which orders versions. */
export function versionDate(version: string): string {
	return version.slice(0, 10);
}

function exists(schema: ParamSchema, apiVersion: string): boolean {
	const date = versionDate(apiVersion);
	return (schema.since === undefined || date >= schema.since) && (schema.until === undefined || date < schema.until);
}

function validateValue(schema: ParamSchema, value: FormValue, path: string, apiVersion: string): unknown {
	switch (schema.type) {
		case "string": {
			if (isTree(value)) throw invalidRequest(`Invalid ${path}: expected a string, not a hash`, { param: path });
			if (value === "") throw emptyString(path);
			if (schema.maxLength !== undefined && value.length > schema.maxLength) {
				throw invalidRequest(`Invalid ${path}: must be at most ${schema.maxLength} characters`, { param: path });
			}
			if (schema.enum && !schema.enum.includes(value)) {
				throw invalidRequest(`Invalid ${path}: must be one of ${oneOf(schema.enum)}`, { param: path });
			}
			return value;
		}
		case "integer": {
			if (isTree(value) || !/^-?\d+$/.test(value)) {
				if (value === "") throw emptyString(path);
				throw invalidRequest(`Invalid integer: ${isTree(value) ? "a hash" : value}`, {
					code: "parameter_invalid_integer",
					param: path,
				});
			}
			const number = Number(value);
			if (!Number.isSafeInteger(number)) throw invalidRequest(`Invalid integer: ${value}`, { param: path });
			return number;
		}
		case "boolean": {
			if (value !== "true" && value !== "false") {
				throw invalidRequest(`Invalid boolean: ${isTree(value) ? "a hash" : value}`, { param: path });
			}
			return value === "true";
		}
		case "array": {
			if (!isTree(value)) throw invalidRequest(`Invalid array`, { param: path });
			const keys = Object.keys(value);
			const items: unknown[] = [];
			for (let index = 0; index < keys.length; index++) {
				const item = value[String(index)];
				if (item === undefined) throw invalidRequest(`Invalid array`, { param: path });
				items.push(validateValue(schema.items, item, childPath(path, String(index)), apiVersion));
			}
			return items;
		}
		case "object": {
			if (!isTree(value)) {
				if (value === "" && schema.emptyable) return "";
				if (value === "") throw emptyString(path);
				throw invalidRequest(`Invalid object`, { param: path });
			}
			if (schema.additionalProperties) return validateMetadata(value, path);
			const required = [...(schema.required ?? []), ...(schema.also_required ?? [])];
			return validateObject(schema.properties ?? {}, required, value, path, apiVersion);
		}
	}
}

function validateMetadata(value: FormTree, path: string): Record<string, string> {
	const entries = Object.entries(value);
	if (entries.length > METADATA_LIMITS.keys) {
		throw invalidRequest(`You can specify up to ${METADATA_LIMITS.keys} keys in ${path}.`, { param: path });
	}
	const out: Record<string, string> = {};
	for (const [key, item] of entries) {
		const itemPath = childPath(path, key);
		if (isTree(item)) throw invalidRequest(`Invalid ${itemPath}: metadata values must be strings`, { param: itemPath });
		if (key.length > METADATA_LIMITS.keyLength) {
			throw invalidRequest(
				`Metadata keys can have up to ${METADATA_LIMITS.keyLength} characters; '${key}' has ${key.length}.`,
				{
					param: itemPath,
				},
			);
		}
		if (item.length > METADATA_LIMITS.valueLength) {
			throw invalidRequest(
				`Metadata values can have up to ${METADATA_LIMITS.valueLength} characters, but you passed in a value that is ${item.length} characters.`,
				{ param: itemPath },
			);
		}
		out[key] = item;
	}
	return out;
}

function validateObject(
	properties: Record<string, ParamSchema>,
	required: string[],
	value: FormTree,
	path: string,
	apiVersion: string,
): Params {
	const out: Params = {};
	for (const [key, item] of Object.entries(value)) {
		const schema = properties[key];
		if (!schema || !exists(schema, apiVersion)) throw unknownParameter(childPath(path, key));
		out[key] = validateValue(schema, item, childPath(path, key), apiVersion);
	}
	for (const key of required) {
		if (out[key] === undefined) throw missingParameter(childPath(path, key));
	}
	return out;
}

/**
 * Validates a request's parameters (the form body of a POST, the query of a GET) against an
 * operation as API version `apiVersion` defines it; returns them typed, or throws the
 * StripeApiError Stripe would answer with.
 */
export function validateParams(operation: Operation, form: FormTree, apiVersion: string): Params {
	const required = [...(operation.required ?? []), ...(operation.also_required ?? [])];
	return validateObject(operation.params, required, form, "", apiVersion);
}

function typeOf(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "array";
	if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
	return typeof value;
}

/**
 * Every way `value` departs from the object schema `name`: fields the subset does not list,
 * types and enum values it does not allow. Empty when the value fits. Expanded ids are checked
 * against the object they expand to.
 */
export function fieldProblems(subset: Subset, name: string, value: unknown, path = name): string[] {
	const schema = subset.objects[name];
	if (!schema) return [`${path}: no object "${name}" in the subset`];
	if (typeOf(value) !== "object") return [`${path}: expected an object`];
	return fieldsProblems(subset, schema.fields, value as Record<string, unknown>, path);
}

function fieldsProblems(
	subset: Subset,
	fields: Record<string, FieldSchema>,
	value: Record<string, unknown>,
	path: string,
): string[] {
	const problems: string[] = [];
	for (const [key, item] of Object.entries(value)) {
		const field = fields[key];
		if (!field) problems.push(`${path}.${key}: not in the subset`);
		else problems.push(...fieldProblem(subset, field, item, `${path}.${key}`));
	}
	return problems;
}

function fieldProblem(subset: Subset, field: FieldSchema, value: unknown, path: string): string[] {
	const actual = typeOf(value);
	if (field.any) return [];
	if (actual === "null") return field.nullable ? [] : [`${path}: null, but not nullable`];
	if (field.polymorphic && actual === "object") {
		return fieldProblems(subset, String((value as { object?: unknown }).object), value, path);
	}
	if (field.expandable && actual === "object") return fieldProblems(subset, field.expandable, value, path);
	if (field.ref) return fieldProblems(subset, field.ref, value, path);
	if (actual !== field.type && !(field.type === "number" && actual === "integer")) {
		return [`${path}: ${actual}, expected ${field.type}`];
	}
	if (field.enum && !field.enum.includes(value as string))
		return [`${path}: "${String(value)}" is not one of ${field.enum.join(", ")}`];
	if (field.type === "object") {
		if (field.additionalProperties) {
			return Object.entries(value as Record<string, unknown>)
				.filter(([, item]) => typeof item !== "string")
				.map(([key]) => `${path}.${key}: expected a string`);
		}
		return fieldsProblems(subset, field.fields ?? {}, value as Record<string, unknown>, path);
	}
	if (field.type === "array" && field.items) {
		const items = field.items;
		return (value as unknown[]).flatMap((item, index) => fieldProblem(subset, items, item, `${path}[${index}]`));
	}
	return [];
}
