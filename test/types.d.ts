declare module 'belvo'
