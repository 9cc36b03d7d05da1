/**
 * Belvo's transaction taxonomy (1.35.0 `EnumCategorizationTransactionCategory` and
 * `EnumCategorizationTransactionSubcategory`), and the vocabularies of the evaluation labels.
 *
 * Belvo publishes the two enums but not which subcategory belongs to which category. The grouping
 * below follows the order of the subcategory enum (it lists them category by category) and is what
 * the labels of this evaluation set assume; a label's subcategory is null when Belvo has none that
 * fits (transfers, ATM withdrawals, deposits, rent received).
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

export const SUBCATEGORIES_OF: Record<Category, readonly string[]> = {
  'Bills & Utilities': ['Electricity & Energy', 'Rent', 'Telecommunications', 'Water'],
  'Credits & Loans': ['Auto', 'Credit Card', 'Instalment', 'Interest & Charges', 'Mortgage', 'Pay Advance', 'Personal'],
  Deposits: [],
  'Fees & Charges': ['Adjustments', 'Bank Fees', 'Chargeback', 'Refund', 'Blocked Balances'],
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
  'Income & Payments': ['Alimony', 'Freelance', 'Interest', 'Retirement', 'Salary', 'Government'],
  Insurance: ['Home Insurance', 'Auto Insurance', 'Health & Life Insurance'],
  'Investments & Savings': ['Savings', 'Fixed income', 'Equity', 'Investment Funds', 'Derivatives', 'Cryptocurrencies'],
  'Online Platforms & Leisure': ['Apps, Software and Cloud Services', 'Events, Parks and Museums', 'Gambling', 'Gaming', 'Lottery', 'Movie & Audio'],
  'Personal Shopping': ['Books & News', 'Clothing & Accessories', 'Department Store', 'Electronics', 'E-commerce', 'Gifts', 'Office Supplies', 'Pet Supplies'],
  Taxes: ['Auto Tax & Fees', 'Donation', 'Government Fees', 'Income Tax', 'Real Estate Tax & Fees', 'Tax Return'],
  Transfers: [],
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
  Unknown: [],
  'Withdrawal & ATM': [],
}

/** Belvo's `Income.income_streams[].income_type` (1.223.0). */
export const INCOME_TYPES = [
  'SALARY',
  'GOVERNMENT',
  'INTEREST',
  'RENT',
  'RETIREMENT',
  'FREELANCE',
  'ALTERNATIVE_INCOME',
  'TRANSFER',
  'DEPOSIT',
  'UNKNOWN',
] as const
export type IncomeType = (typeof INCOME_TYPES)[number]

/** Belvo's `Income.income_streams[].frequency` (1.223.0), less SINGLE: a labelled stream repeats. */
export const INCOME_FREQUENCIES = ['MONTHLY', 'FORTNIGHTLY', 'WEEKLY', 'IRREGULAR'] as const
export type IncomeFrequency = (typeof INCOME_FREQUENCIES)[number]

/**
 * The periods the issue asks recurring expenses to be found at. Belvo's own enum has only MONTHLY;
 * the labels say the true period so that an evaluation can tell which periods a method misses.
 */
export const RECURRING_FREQUENCIES = ['WEEKLY', 'BIWEEKLY', 'MONTHLY', 'QUARTERLY', 'YEARLY'] as const
export type RecurringFrequency = (typeof RECURRING_FREQUENCIES)[number]

export const ACCOUNT_CATEGORIES = ['CHECKING_ACCOUNT', 'CREDIT_CARD', 'LOAN_ACCOUNT', 'SAVINGS_ACCOUNT'] as const
export type AccountCategory = (typeof ACCOUNT_CATEGORIES)[number]

export function isValidPair(category: string, subcategory: string | null): boolean {
  const subs = SUBCATEGORIES_OF[category as Category]
  if (!subs) return false
  return subcategory === null || subs.includes(subcategory)
}
