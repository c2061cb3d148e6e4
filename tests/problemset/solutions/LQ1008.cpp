#include <iostream>
using namespace std;
long long gcd_ll(long long a, long long b) { return b == 0 ? a : gcd_ll(b, a % b); }
int main() {
    long long a, b;
    cin >> a >> b;
    long long g = gcd_ll(a, b);
    cout << g << " " << a / g * b << "\n";
    return 0;
}
