/**
 * `client:interaction`: an island that hydrates when the visitor first reaches for it — a pointer
 * over it, a touch, a press, the keyboard focus inside it — instead of on load. Until then the
 * page ships none of its JavaScript (React DOM alone is ~66 KB gzipped), which is what keeps the
 * listing and search pages of a signed-in visitor under the pages' script budget
 * (docs/performance.md, Web pages): the header's sign-out button and the listing's request-access
 * and offer forms are rendered on the server and only come alive when used.
 *
 * A press on a button or link that lands while the island is still loading is not lost: it is
 * held, and clicked again once hydration is done (React hydrates onto the same DOM nodes, so the
 * element is still the one pressed). Inputs keep their native behaviour meanwhile (the islands'
 * fields are uncontrolled, so what was typed or ticked survives hydration). The islands' own rule
 * still applies: a submit button stays disabled until its island has hydrated, so no form is ever
 * sent without the island.
 */
import type { ClientDirective } from "astro";

const TRIGGERS = ["pointerover", "pointerdown", "touchstart", "focusin", "keydown"] as const;

const interaction: ClientDirective = (load, _options, island) => {
	let state: "waiting" | "loading" | "done" = "waiting";
	let pressed: HTMLElement | null = null;

	const holdPress = (event: Event) => {
		if (state !== "loading") return;
		const control = (event.target as Element | null)?.closest<HTMLElement>("button, a[href]");
		if (!control) return;
		event.preventDefault();
		event.stopPropagation();
		pressed = control;
	};

	const start = async () => {
		if (state !== "waiting") return;
		state = "loading";
		for (const type of TRIGGERS) island.removeEventListener(type, start, true);
		try {
			const hydrate = await load();
			await hydrate();
		} finally {
			state = "done";
			island.removeEventListener("click", holdPress, true);
		}
		pressed?.click();
	};

	for (const type of TRIGGERS) island.addEventListener(type, start, { capture: true, passive: true });
	island.addEventListener("click", holdPress, true);
};

export default interaction;
