/** How the pages show money, categories and dates: one place, so every page says it the same way. */
import { categories } from "../../../shared/contract/routes/listings.ts";

export { categories };
export type Category = (typeof categories)[number];

const CATEGORY_LABELS: Record<Category, string> = {
	saas: "SaaS",
	ecommerce: "E-commerce",
	marketplace: "Marketplace",
	content: "Content",
	mobile_app: "Mobile app",
	ai: "AI",
	agency: "Agency",
	other: "Other",
};

export function categoryLabel(category: Category): string {
	return CATEGORY_LABELS[category];
}

export function money(cents: number, currency: string): string {
	return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: 0 }).format(cents / 100);
}

export function count(value: number): string {
	return new Intl.NumberFormat("en-US").format(value);
}

export function date(iso: string): string {
	return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}
