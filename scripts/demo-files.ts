/**
 * The demo listings' files, generated (no binaries in git) from fixed inputs (no clock), so
 * re-putting an object writes the same bytes its `attachments` row's `sha256` names: a one-page
 * pitch-deck PDF, twelve months of metrics as CSV and a small PNG logo.
 */
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import type { DemoListing } from "./demo-catalog.ts";

const dollars = (cents: number) => `$${(cents / 100).toLocaleString("en-US")}`;

/** Text for a PDF string literal: printable ASCII only (the standard Helvetica font needs no more). */
const pdfText = (text: string) =>
	text
		.replaceAll("—", "-")
		.replace(/[^\x20-\x7e]/g, "?")
		.replace(/[\\()]/g, "\\$&");

/** A one-page PDF 1.4 with the listing's headline facts; ASCII throughout, so offsets are string lengths. */
export function pitchDeckPdf(listing: DemoListing): Uint8Array {
	const lines = [
		listing.summary,
		"",
		`Asking price: ${dollars(listing.price)}`,
		listing.mrr === null ? null : `MRR: ${dollars(listing.mrr)}`,
		listing.revenue === null ? null : `Revenue, trailing twelve months: ${dollars(listing.revenue)}`,
		`Stack: ${listing.stack.join(", ")}`,
		"",
		"Confidential: shared under the listing's NDA, version 1.",
	].filter((line) => line !== null);
	const content = [
		"BT",
		"/F1 20 Tf 72 720 Td",
		`(${pdfText(listing.title)}) Tj`,
		"/F1 12 Tf 0 -36 Td 16 TL",
		...lines.map((line) => `(${pdfText(line)}) Tj T*`),
		"ET",
	].join("\n");
	const objects = [
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		`<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
	];
	let pdf = "%PDF-1.4\n";
	const offsets: number[] = [];
	for (const [index, body] of objects.entries()) {
		offsets.push(pdf.length);
		pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
	}
	const xref = pdf.length;
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	pdf += offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("");
	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
	return new TextEncoder().encode(pdf);
}

/** Twelve fixed months (no clock, so the bytes never change) rising to the listing's MRR. */
export function metricsCsv(listing: DemoListing): Uint8Array {
	const rows = ["month,mrr_usd,paying_customers,churned_customers"];
	for (let i = 0; i < 12; i++) {
		const month = `${i < 3 ? 2025 : 2026}-${String(((i + 9) % 12) + 1).padStart(2, "0")}`;
		const mrr = Math.round(((listing.mrr ?? 0) * (0.8 + (0.2 * i) / 11)) / 100);
		const customers = Math.round(mrr / 9.6);
		rows.push(`${month},${mrr},${customers},${Math.round(customers * 0.021)}`);
	}
	return new TextEncoder().encode(`${rows.join("\n")}\n`);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngChunk(type: string, data: Uint8Array): Uint8Array {
	const chunk = new Uint8Array(12 + data.length);
	const view = new DataView(chunk.buffer);
	view.setUint32(0, data.length);
	chunk.set(new TextEncoder().encode(type), 4);
	chunk.set(data, 8);
	view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
	return chunk;
}

/** A 64×64 logo: a white disc on a dark colour of the listing's own (8-bit RGB, unfiltered rows). */
export function logoPng(listing: DemoListing): Uint8Array {
	const size = 64;
	const colour = [...createHash("sha256").update(`logo:${listing.key}`).digest().subarray(0, 3)].map((b) => b & 0x7f);
	const stride = 1 + size * 3;
	const pixels = new Uint8Array(size * stride);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const inside = (x - 31.5) ** 2 + (y - 31.5) ** 2 < 20 ** 2;
			pixels.set(inside ? [255, 255, 255] : colour, y * stride + 1 + x * 3);
		}
	}
	const header = new Uint8Array(13);
	new DataView(header.buffer).setUint32(0, size);
	new DataView(header.buffer).setUint32(4, size);
	header.set([8, 2, 0, 0, 0], 8);
	const parts = [
		Uint8Array.from(PNG_SIGNATURE),
		pngChunk("IHDR", header),
		pngChunk("IDAT", deflateSync(pixels)),
		pngChunk("IEND", new Uint8Array()),
	];
	const png = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
	let at = 0;
	for (const part of parts) {
		png.set(part, at);
		at += part.length;
	}
	return png;
}
