import { describe, expect, it } from "vitest";
import { type AttachmentType, attachmentType, extensionFits, looksLike } from "./sniff.ts";

const PDF: AttachmentType = "application/pdf";
const PNG: AttachmentType = "image/png";
const JPEG: AttachmentType = "image/jpeg";
const CSV: AttachmentType = "text/csv";
const XLSX: AttachmentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const bytes = (...values: number[]) => new Uint8Array(values);
const text = (value: string) => new TextEncoder().encode(value);

describe("attachmentType", () => {
	it.each([
		["application/pdf", PDF],
		["APPLICATION/PDF", PDF],
		["image/png", PNG],
		["image/jpeg", JPEG],
		["text/csv; charset=utf-8", CSV],
		[" application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ", XLSX],
	])("accepts %j", (header, type) => {
		expect(attachmentType(header)).toBe(type);
	});

	it.each([
		[undefined],
		[null],
		[""],
		["text/html"],
		["image/svg+xml"],
		["application/octet-stream"],
		["application/pdfx"],
		["application/pdf, text/html"],
		["image/jpg"],
	])("refuses %j", (header) => {
		expect(attachmentType(header)).toBeNull();
	});
});

describe("extensionFits", () => {
	it.each([
		["deck.pdf", PDF],
		["Deck.PDF", PDF],
		["logo.png", PNG],
		["photo.jpg", JPEG],
		["photo.jpeg", JPEG],
		["numbers.csv", CSV],
		["model.v2.xlsx", XLSX],
	])("accepts %s as %s", (name, type) => {
		expect(extensionFits(name, type)).toBe(true);
	});

	it.each([
		["deck.pdf", PNG],
		["deck", PDF],
		["deck.pdf.exe", PDF],
		["pdf", PDF],
		["sheet.xls", XLSX],
		["numbers.txt", CSV],
	])("refuses %s as %s", (name, type) => {
		expect(extensionFits(name, type)).toBe(false);
	});
});

describe("looksLike", () => {
	it.each([
		[PDF, text("%PDF-1.7\n%âãÏÓ\n")],
		[PNG, bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13)],
		[JPEG, bytes(0xff, 0xd8, 0xff, 0xe0, 0, 16)],
		[XLSX, bytes(0x50, 0x4b, 0x03, 0x04, 20, 0)],
		[CSV, text("name,mrr\nAcme,1200\nZürich GmbH,900\n")],
		[CSV, text("\uFEFFa,b\n")],
	])("recognises %s", (type, body) => {
		expect(looksLike(type, body)).toBe(true);
	});

	it.each([
		["a PDF without its magic", PDF, text("PDF-1.7")],
		["HTML labelled as PDF", PDF, text("<html><script>alert(1)</script>")],
		["a truncated PNG signature", PNG, bytes(0x89, 0x50, 0x4e, 0x47)],
		["a JPEG labelled as PNG", PNG, bytes(0xff, 0xd8, 0xff, 0xe0)],
		["a PNG labelled as JPEG", JPEG, bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
		["an empty ZIP (end record only)", XLSX, bytes(0x50, 0x4b, 0x05, 0x06)],
		["CSV with a NUL byte", CSV, text("a,b\n\u0000,c\n")],
		["CSV that is not UTF-8", CSV, bytes(0x61, 0x2c, 0xff, 0xfe, 0x0a)],
		["CSV that is a PNG", CSV, bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
		["an empty body", PDF, bytes()],
		["an empty CSV", CSV, bytes()],
	])("refuses %s", (_, type, body) => {
		expect(looksLike(type, body)).toBe(false);
	});
});
