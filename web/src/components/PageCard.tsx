import type { ReactNode } from 'react';
import { Card, Typography } from 'antd';

/** A screen's card with its title as the page's heading (one h1 per screen). */
export function PageCard({ title, extra, children, level = 1 }: { title: ReactNode; extra?: ReactNode; children: ReactNode; level?: 1 | 2 }) {
  return (
    <Card
      style={{ marginBottom: 16 }}
      title={<Typography.Title level={level} style={{ fontSize: level === 1 ? 20 : 16, margin: 0 }}>{title}</Typography.Title>}
      extra={extra}
    >
      {children}
    </Card>
  );
}
