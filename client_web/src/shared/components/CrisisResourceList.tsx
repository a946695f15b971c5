import type { CrisisResource } from "../protocol";

interface Props {
  resources: readonly CrisisResource[];
}

/** Names and ways to reach help. Server-sent entries are text only; only bundled ones carry links. */
export function CrisisResourceList({ resources }: Props) {
  return (
    <ul class="resources">
      {resources.map((r, i) => (
        <li key={`${r.name}-${i}`} class="resources__item">
          <strong class="resources__name">{r.name}</strong>
          {r.href && /^(tel|sms):[0-9+]+$/.test(r.href) ? (
            <a class="resources__how" href={r.href}>
              {r.how}
            </a>
          ) : (
            <span class="resources__how">{r.how}</span>
          )}
          {r.available ? <span class="resources__available">{r.available}</span> : null}
        </li>
      ))}
    </ul>
  );
}
