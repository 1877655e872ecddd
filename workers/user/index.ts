/** User Worker entry (the script uploaded to the `techflunky-tenants` dispatch namespace). */
import { app } from "./app.ts";

export default {
	fetch: app.fetch,
} satisfies ExportedHandler<UserEnv>;
