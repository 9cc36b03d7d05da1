/**
 * Belvo's transaction taxonomy, exactly: the categories of `EnumTransactionCategory` (1.223.0) /
 * `EnumCategorizationTransactionCategory` (1.35.0), and the subcategories of
 * `EnumTransactionSubcategory` / `EnumCategorizationTransactionSubcategory`, each under the one
 * category it belongs to. Belvo's enum lists the subcategories grouped by category in the order of
 * the categories; `Blocked Balances` and `Alimony` come right after the fees and before food, and
 * sit with Fees & Charges here (court-ordered blocks and alimony deductions are charges the bank
 * applies to the account). `Other` is the catch-all subcategory of any category that has
 * subcategories; Deposits, Transfers, Withdrawal & ATM and Unknown have none (null).
 */

export const CATEGORIES = [
  'Bills & Utilities',
  'Credits & Loans',
  'Deposits',
  'Fees & Charges',
  'Food & Groceries',
  'Home & Life',
  'Income & Payments',
  'Insurance',
  'Investments & Savings',
  'Online Platforms & Leisure',
  'Personal Shopping',
  'Taxes',
  'Transfers',
  'Transport & Travel',
  'Unknown',
  'Withdrawal & ATM',
] as const

export type Category = (typeof CATEGORIES)[number]

const TREE = {
  'Bills & Utilities': ['Electricity & Energy', 'Rent', 'Telecommunications', 'Water'],
  'Credits & Loans': ['Auto', 'Credit Card', 'Instalment', 'Interest & Charges', 'Mortgage', 'Pay Advance', 'Personal'],
  'Fees & Charges': ['Adjustments', 'Bank Fees', 'Chargeback', 'Refund', 'Blocked Balances', 'Alimony'],
  'Food & Groceries': ['Alcohol & Tobacco', 'Bakery & Coffee', 'Bars & Nightclubs', 'Convenience Store', 'Delivery', 'Groceries', 'Restaurants'],
  'Home & Life': [
    'Education',
    'Gyms & Fitness',
    'Hair & Beauty',
    'Health',
    'Home Decor & Appliances',
    'Laundry & Dry Cleaning',
    'Pharmacies',
    'Professional Services',
    'Veterinary Services',
  ],
  'Income & Payments': ['Freelance', 'Interest', 'Retirement', 'Salary', 'Government'],
  Insurance: ['Home Insurance', 'Auto Insurance', 'Health & Life Insurance'],
  'Investments & Savings': ['Savings', 'Fixed income', 'Equity', 'Investment Funds', 'Derivatives', 'Cryptocurrencies'],
  'Online Platforms & Leisure': [
    'Apps, Software and Cloud Services',
    'Events, Parks and Museums',
    'Gambling',
    'Gaming',
    'Lottery',
    'Movie & Audio',
    'Books & News',
  ],
  'Personal Shopping': ['Clothing & Accessories', 'Department Store', 'Electronics', 'E-commerce', 'Gifts', 'Office Supplies', 'Pet Supplies'],
  Taxes: ['Auto Tax & Fees', 'Donation', 'Government Fees', 'Income Tax', 'Real Estate Tax & Fees', 'Tax Return'],
  'Transport & Travel': [
    'Accommodation',
    'Auto Expenses',
    'Auto Rental',
    'Flights',
    'Gas',
    'Mileage Programs',
    'Parking & Tolls',
    'Public Transit',
    'Taxis & Rideshares',
  ],
} as const satisfies Partial<Record<Category, readonly string[]>>

type Tree = typeof TREE
/** A subcategory with its own place in the tree (every one but `Other`). */
export type SpecificSubcategory = Tree[keyof Tree][number]
export type Subcategory = SpecificSubcategory | 'Other'

/** Belvo's subcategory enum, in Belvo's order. */
export const SUBCATEGORIES: readonly Subcategory[] = [...Object.values(TREE).flat(), 'Other']

const CATEGORY_OF = new Map<string, Category>()
for (const [category, subs] of Object.entries(TREE)) for (const sub of subs) CATEGORY_OF.set(sub, category as Category)

/** The category a specific subcategory belongs to. */
export function categoryOf(subcategory: SpecificSubcategory): Category {
  return CATEGORY_OF.get(subcategory)!
}

/** Whether `subcategory` may be given under `category` (null always may). */
export function fitsUnder(category: Category, subcategory: Subcategory | null): boolean {
  if (subcategory === null) return true
  if (subcategory === 'Other') return category in TREE
  return CATEGORY_OF.get(subcategory) === category
}
