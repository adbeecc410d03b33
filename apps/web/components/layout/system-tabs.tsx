'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

export function SystemTabs({ name }: { name: string }) {
  const pathname = usePathname();
  const base = `/systems/${encodeURIComponent(name)}`;
  const tabs = [
    { href: base, label: 'Replay' },
    { href: `${base}/lanes`, label: 'Lifetimes' },
    { href: `${base}/charts`, label: 'Charts' },
    { href: `${base}/compare`, label: 'Compare policies' },
    { href: `${base}/live`, label: 'Live' },
    { href: `/audit?system=${encodeURIComponent(name)}`, label: 'Audit log' },
  ];
  return (
    <nav className="tabs">
      {tabs.map((t) => (
        <Link
          key={t.href}
          href={t.href}
          aria-current={pathname === t.href.split('?')[0] ? 'page' : undefined}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
