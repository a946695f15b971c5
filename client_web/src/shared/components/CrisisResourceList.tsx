import type { CrisisResource } from "../protocol";

interface Props {
  resources: readonly CrisisResource[];
}

/** A phone number (with an optional pause and key press) or a text with an optional keyword. */
const SAFE_LINK = /^(tel:[0-9+]+(,[0-9]+)?|sms:[0-9+]+(\?body=[A-Z]+)?)$/;

/** Names and ways to reach help. Server-sent entries are text only; only bundled ones carry links. */
export function CrisisResourceList({ resources }: Props) {
  return (
    <ul class="resources">
      {resources.map((r, i) => (
        <li key={`${r.name}-${i}`} class="resources__item">
          <strong class="resources__name">{r.name}</strong>
          {r.links && r.links.length > 0 ? (
            <span class="resources__links">
              {r.links
                .filter((link) => SAFE_LINK.test(link.href))
                .map((link) => (
                  <a key={link.href} class="resources__how" href={link.href}>
                    {link.text}
                  </a>
                ))}
            </span>
          ) : (
            <span class="resources__how">{r.how}</span>
          )}
          {r.available ? <span class="resources__available">{r.available}</span> : null}
        </li>
      ))}
    </ul>
  );
}
