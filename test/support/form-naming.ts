import type { Page } from 'playwright-core';

/**
 * Watches the form `formSelector`: when its aria-label comes to start with `prefix`, the value its
 * field `fieldSelector` holds at that moment (in the same DOM commit) is kept in the form's
 * `data-named-with`. A form renamed before its fields are filled leaves it empty.
 */
export function recordValueWhenNamed(page: Page, formSelector: string, fieldSelector: string, prefix: string) {
  return page.evaluate(
    ([formAt, fieldAt, start]) => {
      const form = document.querySelector(formAt)!;
      new MutationObserver(() => {
        const field = form.querySelector<HTMLInputElement>(fieldAt);
        if (form.getAttribute('aria-label')!.startsWith(start))
          form.setAttribute('data-named-with', field?.value ?? '');
      }).observe(form, { attributes: true, attributeFilter: ['aria-label'] });
    },
    [formSelector, fieldSelector, prefix] as const,
  );
}
