export type PageInfo = { page: number; pageSize: number; total: number; pages: number };

export const pageInfo = (page: number, pageSize: number, total: number): PageInfo => ({
  page,
  pageSize,
  total,
  pages: Math.max(1, Math.ceil(total / pageSize)),
});

export const skipFor = (page: number, pageSize: number) => (page - 1) * pageSize;
