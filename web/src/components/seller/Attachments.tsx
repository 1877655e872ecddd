/**
 * A listing's files on its seller page: the list (each a download link to
 * `GET /api/v1/listings/{id}/attachments/{name}`, which answers as a download), an upload with a
 * `<progress>` bar (`PUT …/attachments/{name}`, raw bytes through XMLHttpRequest so the bar moves
 * as the bytes go, ./request.ts), and delete (`DELETE …`, asked first). Uploading a name that is
 * already there replaces that file, which the hint says. The caps (20 files, 25 MiB each, 100 MiB
 * in all) are shown with what is used; a file over 25 MiB is refused before a byte is sent, and
 * every other refusal (the 21st file's 409, the 100 MiB total's 413, a file that is not what its
 * name says) shows the API's `detail`. The list updates in place from each answer.
 */
import { useEffect, useRef, useState } from "react";
import type { AttachmentView } from "../../../../shared/contract/routes/attachments.ts";
import { send } from "../../lib/browser-api.ts";
import { ACCEPT, MAX_FILES, MAX_LISTING_BYTES, pick } from "./attachment-files.ts";
import { formatBytes, formatDate } from "./labels.ts";
import { upload } from "./request.ts";

interface Props {
	listingId: string;
	items: AttachmentView[];
	/** False once the listing is archived or sold: it takes no new files. */
	canUpload: boolean;
}

type Sending = { name: string; percent: number } | null;

const TYPE_NAMES: Record<string, string> = {
	"application/pdf": "PDF",
	"image/png": "PNG image",
	"image/jpeg": "JPEG image",
	"text/csv": "CSV",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel sheet",
};

export default function Attachments({ listingId, items: initial, canUpload }: Props) {
	const [items, setItems] = useState(initial);
	const [sending, setSending] = useState<Sending>(null);
	const [uploading, setUploading] = useState(false);
	const [done, setDone] = useState<string | null>(null);
	const [problem, setProblem] = useState<string | null>(null);
	const [deleting, setDeleting] = useState<string | null>(null);
	const [busyDelete, setBusyDelete] = useState(false);
	const [ready, setReady] = useState(false);
	const fileInput = useRef<HTMLInputElement>(null);
	useEffect(() => setReady(true), []);

	const base = `/api/v1/listings/${listingId}/attachments`;
	const used = items.reduce((total, item) => total + item.size_bytes, 0);

	async function submit(event: { preventDefault(): void }) {
		event.preventDefault();
		setProblem(null);
		setDone(null);
		const file = fileInput.current?.files?.[0];
		if (!file) {
			setProblem("Choose a file to upload first.");
			fileInput.current?.focus();
			return;
		}
		const picked = pick(file.name, file.size);
		if (!picked.ok) {
			setProblem(picked.message);
			fileInput.current?.focus();
			return;
		}
		setSending({ name: picked.name, percent: 0 });
		setUploading(true);
		const answer = await upload<AttachmentView>(
			`${base}/${encodeURIComponent(picked.name)}`,
			file,
			picked.contentType,
			(fraction) => setSending({ name: picked.name, percent: Math.round(fraction * 100) }),
		);
		setUploading(false);
		if (answer.ok) {
			const stored = answer.body;
			setItems((current) =>
				[...current.filter((item) => item.name !== stored.name), stored].sort((a, b) => a.name.localeCompare(b.name)),
			);
			setDone(answer.status === 200 ? `Replaced ${stored.name}.` : `Uploaded ${stored.name}.`);
			if (fileInput.current) fileInput.current.value = "";
		} else {
			setSending(null);
			setProblem(answer.detail);
		}
	}

	async function remove(name: string) {
		setBusyDelete(true);
		setProblem(null);
		setDone(null);
		const answer = await send("DELETE", `${base}/${encodeURIComponent(name)}`);
		setBusyDelete(false);
		setDeleting(null);
		// 404: it was already gone; the list should say so either way.
		if (answer.ok || answer.status === 404) {
			setItems((current) => current.filter((item) => item.name !== name));
			setDone(`Deleted ${name}.`);
		} else setProblem(answer.detail);
	}

	return (
		<div className="seller-files">
			<p className="hint">
				{items.length} of {MAX_FILES} files, {formatBytes(used)} of {formatBytes(MAX_LISTING_BYTES)} used. Each file may
				be up to 25 MiB.
			</p>
			{items.length === 0 ? (
				<p className="state">
					No files yet. Add a pitch deck, financial statements or screenshots for approved buyers.
				</p>
			) : (
				<ul className="seller-rows" aria-label="Files">
					{items.map((item) => (
						<li key={item.name} className="seller-row">
							<div className="seller-row-main">
								<a href={`${base}/${encodeURIComponent(item.name)}`} download={item.name}>
									{item.name}
								</a>
								<span className="hint">
									{TYPE_NAMES[item.content_type] ?? item.content_type} · {formatBytes(item.size_bytes)} · updated{" "}
									{formatDate(item.updated_at)}
								</span>
							</div>
							{deleting === item.name ? (
								<fieldset className="seller-buttons seller-confirm-inline">
									<legend className="visually-hidden">Delete {item.name}?</legend>
									<button
										type="button"
										className="button seller-danger"
										disabled={busyDelete}
										onClick={() => remove(item.name)}
									>
										{busyDelete ? "Deleting…" : `Yes, delete ${item.name}`}
									</button>
									<button
										type="button"
										className="button seller-secondary"
										disabled={busyDelete}
										onClick={() => setDeleting(null)}
									>
										Keep it
									</button>
								</fieldset>
							) : (
								<button
									type="button"
									className="link-button"
									disabled={!ready || busyDelete}
									onClick={() => setDeleting(item.name)}
									aria-label={`Delete ${item.name}`}
								>
									Delete
								</button>
							)}
						</li>
					))}
				</ul>
			)}
			{canUpload ? (
				<form className="seller-upload" onSubmit={submit} noValidate>
					<div className="field">
						<label htmlFor="attachment-file">File to upload</label>
						<input
							ref={fileInput}
							id="attachment-file"
							name="file"
							type="file"
							accept={ACCEPT}
							aria-describedby="attachment-hint"
							onChange={() => {
								setProblem(null);
								setDone(null);
								setSending(null);
							}}
						/>
						<p className="hint" id="attachment-hint">
							PDF, PNG, JPEG, CSV or XLSX. A file with the same name replaces the one already here.
						</p>
					</div>
					<button type="submit" className="button" disabled={!ready || uploading}>
						{uploading ? "Uploading…" : "Upload file"}
					</button>
				</form>
			) : (
				<p className="hint">This listing takes no new files.</p>
			)}
			{sending && (
				<div className="seller-progress">
					<label htmlFor="attachment-progress">
						{uploading ? `Uploading ${sending.name}: ${sending.percent}%` : `${sending.name}: upload complete`}
					</label>
					<progress id="attachment-progress" max={100} value={sending.percent}>
						{sending.percent}%
					</progress>
				</div>
			)}
			<p role="status" aria-live="polite" className={done ? "seller-done" : "visually-hidden"}>
				{done}
			</p>
			<div role="alert" aria-live="assertive" className={problem ? "form-problem" : "visually-hidden"}>
				{problem}
			</div>
		</div>
	);
}
