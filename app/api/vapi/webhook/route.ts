import { answerServerMessage, MAX_BODY_BYTES } from "@/lib/calls/webhook-request";
import { readBodyCapped } from "@/lib/http/read-body";
import { clientIp } from "@/lib/http/client-ip";

export const dynamic = "force-dynamic";

// Under `npm run dev` (and a host that runs Next alone). `npm start` answers this path itself,
// before Next sees it (server.ts).
export async function POST(request: Request) {
  const started = performance.now();
  const rawBody = await readBodyCapped(request, MAX_BODY_BYTES);
  const answer = await answerServerMessage(
    { headers: request.headers, rawBody, clientIp: clientIp(request.headers) },
    started,
  );
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
}
