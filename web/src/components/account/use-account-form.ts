/**
 * The account page's forms' shared state (./PasswordForm.tsx, ./EmailChangeForm.tsx): busy while
 * the request is out, ready once hydrated (the submit button stays disabled until then), the
 * problem's sentence above the form, a success notice, the field errors, and `showErrors`, which
 * files them and moves the focus to the first invalid field in the form's own order (`labels`).
 */
import { useEffect, useRef, useState } from "react";

export function useAccountForm<F extends string>(labels: Record<F, string>) {
	const [busy, setBusy] = useState(false);
	const [ready, setReady] = useState(false);
	const [problem, setProblem] = useState<string | null>(null);
	const [notice, setNotice] = useState<string | null>(null);
	const [errors, setErrors] = useState<Partial<Record<F, string>>>({});
	const formRef = useRef<HTMLFormElement>(null);
	useEffect(() => setReady(true), []);

	function showErrors(found: Partial<Record<F, string>>) {
		setErrors(found);
		const first = (Object.keys(labels) as F[]).find((name) => found[name]);
		if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
	}

	return { busy, setBusy, ready, problem, setProblem, notice, setNotice, errors, setErrors, formRef, showErrors };
}
