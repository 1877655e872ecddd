/**
 * A QR code as inline SVG from a module matrix (`true` = dark), drawn as one `<path>` of
 * horizontal runs on a white `<rect>`: presentation attributes only, no `style`, so the page's
 * Content-Security-Policy (no inline styles) holds. The matrix already carries its quiet zone.
 * The encoder (uqr) is not imported here: the MFA panel loads it on demand, so it never ships
 * with the page's first script.
 */
interface Props {
	modules: readonly (readonly boolean[])[];
	/** What the code holds, in words, for people who cannot see it. */
	label: string;
}

/** `M x,y h run v1 h -run z` for each run of dark modules in each row. */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
	let d = "";
	modules.forEach((row, y) => {
		let x = 0;
		while (x < row.length) {
			if (!row[x]) {
				x++;
				continue;
			}
			const start = x;
			while (x < row.length && row[x]) x++;
			d += `M${start},${y}h${x - start}v1h-${x - start}z`;
		}
	});
	return d;
}

export default function QrCode({ modules, label }: Props) {
	const size = modules.length;
	return (
		<svg
			className="qr"
			role="img"
			aria-label={label}
			viewBox={`0 0 ${size} ${size}`}
			width="240"
			height="240"
			shapeRendering="crispEdges"
			xmlns="http://www.w3.org/2000/svg"
		>
			<rect width={size} height={size} fill="#ffffff" />
			<path d={qrPath(modules)} fill="#000000" />
		</svg>
	);
}
